// The emulator's random fault mode (used by the soak, scripts/soak/run.ts): seeded, rate-bound, kind-restricted,
// counted, reachable through the control route; and the expireToken rule it draws for "tokenExpired".
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { randomUUID } from "node:crypto";
import { Agent } from "undici";
import { startEmulator, type Emulator } from "../../emulator";
import { FaultQueue, RANDOM_FAULT_KINDS, parseRandomFaults, type FaultTarget } from "../../emulator/faults";
import { emulatorHttp, type Http } from "../harness/emulator-http";

const SNAPSHOTS = "/beta/deviceManagement/virtualEndpoint/snapshots";
const GRAPH: FaultTarget = {
    routeKey: "GET listSnapshotImportResults",
    method: "GET",
    path: `${SNAPSHOTS}/listSnapshotImportResults`,
    graph: true,
};
const TOKEN: FaultTarget = { routeKey: "POST token", method: "POST", path: "/t/oauth2/v2.0/token", graph: false };

function draws(queue: FaultQueue, n: number, target = GRAPH): string[] {
    return Array.from({ length: n }, () => JSON.stringify(queue.take(target) ?? null));
}

describe("emulator: random faults", () => {
    it("repeats the same faults for the same seed, and others for another seed", () => {
        const a = new FaultQueue(),
            b = new FaultQueue(),
            c = new FaultQueue();
        a.setRandom({ rate: 0.3, seed: 42 });
        b.setRandom({ rate: 0.3, seed: 42 });
        c.setRandom({ rate: 0.3, seed: 43 });
        const first = draws(a, 500);
        assert.deepEqual(draws(b, 500), first);
        assert.notDeepEqual(draws(c, 500), first);
    });

    it("faults about `rate` of Graph requests, with every kind, and counts them", () => {
        const q = new FaultQueue();
        q.setRandom({ rate: 0.2, seed: 7 });
        draws(q, 20_000);
        const s = q.randomStats()!;
        assert.equal(s.considered, 20_000);
        assert.ok(Math.abs(s.injected / s.considered - 0.2) < 0.015, `injected ${s.injected}`);
        assert.deepEqual(Object.keys(s.byKind).sort(), [...RANDOM_FAULT_KINDS].sort());
        assert.equal(
            Object.values(s.byKind).reduce((x, y) => x + (y ?? 0), 0),
            s.injected,
        );
    });

    it("draws only the kinds asked for, maps each to its rule, and leaves authority routes alone", () => {
        const q = new FaultQueue();
        q.setRandom({ rate: 1, kinds: ["429", "tokenExpired", "slow"], retryAfter: "0.3", slowMs: 10 });
        const rules = new Set(draws(q, 200));
        assert.deepEqual(
            [...rules].sort(),
            [
                JSON.stringify({ delayMs: 10 }),
                JSON.stringify({ expireToken: true }),
                JSON.stringify({ status: 429, retryAfter: "0.3" }),
            ].sort(),
        );
        assert.equal(q.take(TOKEN), undefined);
        assert.equal(q.randomStats()!.considered, 200, "authority requests are not counted");
    });

    it("scripted rules come first; clear() also stops the random mode", () => {
        const q = new FaultQueue();
        q.setRandom({ rate: 1, kinds: ["500"] });
        q.add({ route: "listSnapshotImportResults", status: 404 });
        assert.equal(q.take(GRAPH)?.status, 404);
        assert.equal(q.take(GRAPH)?.status, 500);
        q.clear();
        assert.equal(q.take(GRAPH), undefined);
        assert.equal(q.randomStats(), null);
    });

    it("rejects bad configurations", () => {
        assert.throws(() => parseRandomFaults({ rate: 2 }), /rate/);
        assert.throws(() => parseRandomFaults({ rate: 0.1, kinds: ["418"] }), /unknown kind '418'/);
        assert.throws(() => parseRandomFaults({ rate: 0.1, kinds: [] }), /kinds/);
        assert.throws(() => parseRandomFaults({ rate: 0.1, bogus: 1 }), /bogus/);
        assert.throws(() => new FaultQueue().add({ expireToken: true, status: 500 }), /expireToken/);
    });

    describe("over HTTPS", function () {
        this.timeout(30_000);
        let emu: Emulator;
        let agent: Agent;

        // emu and agent are set in before(): bound at each call.
        const http: Http = (method, path, opts) => emulatorHttp(emu, agent)(method, path, opts);
        const getToken = async () =>
            (
                await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
                    form: {
                        grant_type: "client_credentials",
                        client_id: emu.clientId,
                        client_secret: emu.clientSecret,
                        scope: `${emu.graphEndpoint}/.default`,
                    },
                })
            ).json.access_token as string;

        before(async () => {
            emu = await startEmulator({ importDurationMs: 100 });
            agent = new Agent({ connect: { ca: fs.readFileSync(emu.caCertPath, "utf8") } });
        });
        after(async () => {
            await emu?.close();
            await agent?.close();
        });

        it("is switched on, read and off through the control routes", async () => {
            const on = await http("POST", "/_emulator/faults/random", { body: { rate: 1, seed: 3, kinds: ["503"] } });
            assert.equal(on.status, 200);
            assert.equal(on.json.random.rate, 1);
            const token = await getToken(); // the token endpoint is not faulted
            const read = `${SNAPSHOTS}/retrieveSnapshotImportResults(snapshotId='${randomUUID()}')`;
            const r = await http("GET", read, { token });
            assert.equal(r.status, 503);
            const seen = await http("GET", "/_emulator/faults");
            assert.deepEqual(seen.json.random.byKind, { 503: 1 });
            assert.equal(seen.json.random.considered, 1);
            assert.equal((await http("POST", "/_emulator/faults/random", { body: null })).json.random, null);
            assert.equal((await http("GET", read, { token })).status, 200);
            assert.equal((await http("POST", "/_emulator/faults/random", { body: { rate: -1 } })).status, 400);
        });

        it("tokenExpired: 401 without acting, and the token stays rejected until a new one is fetched", async () => {
            const token = await getToken();
            emu.faults.setRandom({ rate: 1, kinds: ["tokenExpired"] });
            const user = randomUUID();
            const body = {
                assignedUserId: user,
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId:
                                "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/cloudpcvhds",
                            containerName: "vhds",
                            fileName: "a.vhd",
                        },
                    },
                ],
            };
            const r = await http("POST", `${SNAPSHOTS}/importSnapshot`, { token, body });
            assert.equal(r.status, 401);
            assert.equal(r.json.error.code, "InvalidAuthenticationToken");
            assert.match(r.json.error.message, /expired/);
            assert.equal(emu.imports.byUser(user).length, 0);
            emu.faults.setRandom(null);
            assert.equal(
                (await http("POST", `${SNAPSHOTS}/importSnapshot`, { token, body })).status,
                401,
                "the old token was revoked",
            );
            assert.equal(
                (await http("POST", `${SNAPSHOTS}/importSnapshot`, { token: await getToken(), body })).status,
                200,
            );
        });
    });
});
