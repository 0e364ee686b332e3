// What the snapshots code learns per client lives in objects the runtime owns (snapshots/api.ts, services.ts):
// route books and user directories, tested here without a server.
import { strict as assert } from "node:assert";
import type { GraphClient } from "../../provider/graph/client";
import { GraphError } from "../../provider/graph/errors";
import { createSnapshotsApi } from "../../provider/snapshots/api";
import { NoRouteError, RouteBook } from "../../provider/snapshots/route-fallback";
import { createSnapshotsServices } from "../../provider/snapshots/services";
import { UserDirectory } from "../../provider/snapshots/users";

const graphError = (status: number): GraphError =>
    new GraphError({ status, code: "x", graphMessage: `answered ${status}`, operation: "op" } as never);

const ROUTES = [{ name: "a" }, { name: "b" }] as const;

describe("snapshots: route book (one per client)", () => {
    it("tries routes in order, puts a doubted one last, and learns a route only from a 2xx", async () => {
        const book = new RouteBook();
        const tried: string[] = [];
        const call = (answers: Record<string, number>) => async (name: string) => {
            tried.push(name);
            if (answers[name] !== 200) throw graphError(answers[name]!);
            return name;
        };
        assert.equal(await book.run("f", ROUTES, call({ a: 404, b: 200 })), "b");
        assert.deepEqual(book.missing("f"), ["a"]);
        assert.ok(book.isProven("f", "b") && !book.isProven("f", "a"));
        tried.length = 0;
        assert.equal(await book.run("f", ROUTES, call({ a: 200, b: 200 })), "b", "the doubted route goes last");
        assert.deepEqual(tried, ["b"]);
        // A proven route's error is real: it passes through instead of moving on.
        await assert.rejects(
            book.run("f", ROUTES, call({ a: 200, b: 404 })),
            (e: unknown) => e instanceof GraphError && e.status === 404,
        );
        // Throttling and auth are never read as "no such route".
        await assert.rejects(
            new RouteBook().run("f", ROUTES, call({ a: 429, b: 200 })),
            (e: unknown) => (e as GraphError).status === 429,
        );
        await assert.rejects(new RouteBook().run("f", ROUTES, call({ a: 400, b: 501 })), NoRouteError);
    });

    it("two APIs for one client learn apart; the services' gateway reads through the services' API", () => {
        const client = {} as GraphClient;
        const one = createSnapshotsApi(client);
        const two = createSnapshotsApi(client);
        one.routes.markProven("f", "a");
        assert.ok(!two.routes.isProven("f", "a"));
        const services = createSnapshotsServices(client, { poll: { initialMs: 100, maxMs: 1000 } });
        assert.equal(services.imports.api, services.api, "the gateway reads through the services' API");
    });
});

describe("snapshots: user directory", () => {
    it("reads each user's UPN once, forgets transient failures, and reports refusals", async () => {
        const answers: Array<() => unknown> = [
            () => {
                throw graphError(503);
            },
            () => ({ body: { userPrincipalName: "ada@contoso.com" } }),
            () => {
                throw graphError(403);
            },
        ];
        let reads = 0;
        const client = { request: async () => answers[reads++]!() } as unknown as GraphClient;
        const users = new UserDirectory(client);
        const first = await users.upn("U1");
        assert.ok("refused" in first && first.transient, JSON.stringify(first));
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(await users.upn("u1"), { upn: "ada@contoso.com" }, "a transient failure is asked again");
        assert.deepEqual(await users.upn("U1"), { upn: "ada@contoso.com" });
        assert.equal(reads, 2, "a UPN once read is kept");
        const refused = await users.upn("u2");
        assert.ok("refused" in refused && !refused.transient && /User.ReadBasic.All/.test(refused.refused));
    });
});
