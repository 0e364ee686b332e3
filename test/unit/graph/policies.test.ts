// Each request policy of the Graph client on its own, with a fake next() and a fake clock: no server, no timers.
import * as assert from "node:assert/strict";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { toGraphResponse } from "../../../provider/graph/attempt";
import { BearerAuth } from "../../../provider/graph/auth";
import { GraphAuthenticationError, GraphError, GraphTransportError } from "../../../provider/graph/errors";
import { composePolicies, type GraphAnswer, type GraphCall, type SendAttempt } from "../../../provider/graph/pipeline";
import { authPolicy } from "../../../provider/graph/policies/auth";
import { loggingPolicy, sanitizeHeaders, sanitizeUrl } from "../../../provider/graph/policies/logging";
import { requestIdsPolicy } from "../../../provider/graph/policies/request-ids";
import { retryPolicy, type RetryPolicyOptions } from "../../../provider/graph/policies/retry";
import { throttlePolicy } from "../../../provider/graph/policies/throttle";
import { Throttle } from "../../../provider/graph/throttle";
import type { GraphClientStats, GraphRequest } from "../../../provider/graph/types";
import { FakeClock } from "../../harness/fake-clock";

const ORIGIN = "https://graph.example.test";

function call(clock: FakeClock, r: Partial<GraphRequest> = {}, deadlineMs = 120_000): GraphCall {
    const request: GraphRequest = { method: "GET", path: "/t", operation: "op", ...r };
    return {
        request,
        target: { origin: ORIGIN, path: `/beta${request.path}`, host: "graph.example.test" },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        idempotent: request.idempotent ?? request.method === "GET",
        clientRequestId: "crid-1",
        deadlineAt: clock.now() + deadlineMs,
        headers: {},
        attempts: 0,
    };
}

function answer(status: number, headers: Record<string, string> = {}, body?: unknown): GraphAnswer {
    const bodyText = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    let json: GraphAnswer["json"];
    if (bodyText !== "") {
        try {
            json = { value: JSON.parse(bodyText) };
        } catch {
            json = status < 300 ? { invalid: "not JSON" } : undefined;
        }
    }
    return { status, headers, bodyText, json, timeoutMs: 1000 };
}

/** A next() that plays back `outcomes` (an answer, or an error to throw) and records the calls it saw. */
function script(outcomes: Array<GraphAnswer | Error>) {
    const seen: Array<{ headers: Record<string, string> }> = [];
    const next: SendAttempt = async (c) => {
        c.attempts++;
        seen.push({ headers: { ...c.headers } });
        const o = outcomes[Math.min(seen.length - 1, outcomes.length - 1)]!;
        if (o instanceof Error) throw o;
        return o;
    };
    return { next, seen };
}

const stats = (): GraphClientStats => ({ requests: 0, retries: 0, throttled: 0 });
function logger() {
    const debug: string[] = [];
    const warn: string[] = [];
    return { debug, warn, log: { debug: (m: string) => debug.push(m), warn: (m: string) => warn.push(m) } };
}

function transportError(o: { ambiguous: boolean; retryable: boolean; code?: string }): GraphTransportError {
    return new GraphTransportError({
        operation: "op",
        clientRequestId: "crid-1",
        detail: "x",
        code: o.code ?? "ECONNRESET",
        ...o,
    });
}

describe("graph pipeline: composition", () => {
    it("runs policies outermost first, each around the next", async () => {
        const order: string[] = [];
        const p = (name: string) => ({
            name,
            async send(c: GraphCall, next: SendAttempt) {
                order.push(`${name}>`);
                const a = await next(c);
                order.push(`<${name}`);
                return a;
            },
        });
        const send = composePolicies([p("a"), p("b")], async () => {
            order.push("send");
            return answer(204);
        });
        await send(call(new FakeClock()));
        assert.deepEqual(order, ["a>", "b>", "send", "<b", "<a"]);
    });
});

describe("graph policy: request ids", () => {
    it("sets the call's client-request-id and our headers over the caller's, keeping the caller's extras", async () => {
        const { next, seen } = script([answer(200)]);
        const c = call(new FakeClock(), {
            method: "POST",
            body: {},
            headers: { prefer: "x", "client-request-id": "mine", "user-agent": "other" },
        });
        await requestIdsPolicy("ua/1").send(c, next);
        assert.deepEqual(seen[0]!.headers, {
            prefer: "x",
            accept: "application/json",
            "user-agent": "ua/1",
            "client-request-id": "crid-1",
            "return-client-request-id": "true",
            "content-type": "application/json",
        });
    });

    it("sends no content-type without a body", async () => {
        const { next, seen } = script([answer(200)]);
        await requestIdsPolicy("ua/1").send(call(new FakeClock()), next);
        assert.equal(seen[0]!.headers["content-type"], undefined);
    });
});

describe("graph policy: retry", () => {
    function policy(clock: FakeClock, o: Partial<RetryPolicyOptions> = {}) {
        const s = stats();
        const l = logger();
        const p = retryPolicy({
            clock,
            stats: s,
            log: l.log,
            maxRetries: 3,
            maxThrottledRetries: 5,
            retryBaseMs: 100,
            retryMaxMs: 1000,
            deadlineMs: 120_000,
            random: () => 0.5,
            ...o,
        });
        return { p, s, l };
    }

    it("waits what Retry-After says (fractional seconds), on the clock, then succeeds", async () => {
        const clock = new FakeClock();
        const { p, s, l } = policy(clock);
        const { next, seen } = script([
            answer(429, { "retry-after": "0.25" }),
            answer(503, { "retry-after": "1" }),
            answer(200),
        ]);
        const a = await p.send(call(clock), next);
        assert.equal(a.status, 200);
        assert.equal(seen.length, 3);
        assert.deepEqual(clock.sleeps, [250, 1000]);
        assert.equal(s.retries, 2);
        assert.match(l.warn[0]!, /^op: HTTP 429, Retry-After wait 1\/5 in 250 ms \[client-request-id crid-1\]$/);
    });

    it("backs off exponentially (with jitter) without Retry-After, and gives up after maxRetries", async () => {
        const clock = new FakeClock();
        const { p, l } = policy(clock);
        const { next, seen } = script([answer(500)]);
        const a = await p.send(call(clock), next);
        assert.equal(a.status, 500);
        assert.equal(seen.length, 4, "1 try + maxRetries (3)");
        assert.deepEqual(clock.sleeps, [50, 100, 200]);
        assert.match(l.warn.at(-1)!, /giving up after 3 retries/);
    });

    it("gives Retry-After waits a budget of their own", async () => {
        const clock = new FakeClock();
        const { p } = policy(clock, { maxRetries: 0 });
        const { next, seen } = script([
            ...Array.from({ length: 5 }, () => answer(429, { "retry-after": "2" })),
            answer(200),
        ]);
        assert.equal((await p.send(call(clock), next)).status, 200);
        assert.equal(seen.length, 6);
        assert.deepEqual(clock.sleeps, [2000, 2000, 2000, 2000, 2000]);
    });

    it("does not wait past the call's deadline", async () => {
        const clock = new FakeClock();
        const { p, l } = policy(clock);
        const { next, seen } = script([answer(429, { "retry-after": "30" })]);
        const a = await p.send(call(clock, {}, 1000), next);
        assert.equal(a.status, 429);
        assert.equal(seen.length, 1);
        assert.deepEqual(clock.sleeps, []);
        assert.match(l.warn[0]!, /waiting 30000 ms would pass the 120000 ms deadline/);
    });

    it("repeats a write only when Graph cannot have acted on it", async () => {
        const clock = new FakeClock();
        const { p } = policy(clock);
        const post = { method: "POST" as const, body: {} };
        for (const status of [500, 502, 504]) {
            const { next, seen } = script([answer(status), answer(200)]);
            assert.equal((await p.send(call(clock, post), next)).status, status, `${status} to a POST is final`);
            assert.equal(seen.length, 1);
        }
        const refused = script([answer(503), answer(200)]);
        assert.equal((await p.send(call(clock, post), refused.next)).status, 200, "503: not done, sent again");

        const notSent = script([transportError({ ambiguous: false, retryable: true }), answer(200)]);
        assert.equal((await p.send(call(clock, post), notSent.next)).status, 200);
        assert.equal(notSent.seen.length, 2);

        const maybeSent = script([transportError({ ambiguous: true, retryable: true }), answer(200)]);
        await assert.rejects(p.send(call(clock, post), maybeSent.next), GraphTransportError);
        assert.equal(maybeSent.seen.length, 1);
    });

    it("repeats a read after a failure that may have reached Graph, never after a TLS failure", async () => {
        const clock = new FakeClock();
        const { p } = policy(clock);
        const reset = script([transportError({ ambiguous: true, retryable: true }), answer(200)]);
        assert.equal((await p.send(call(clock), reset.next)).status, 200);
        const tls = script([
            transportError({ ambiguous: false, retryable: false, code: "CERT_HAS_EXPIRED" }),
            answer(200),
        ]);
        await assert.rejects(p.send(call(clock), tls.next), /x \(code: CERT_HAS_EXPIRED/);
        assert.equal(tls.seen.length, 1);
    });

    it("reads an unusable 2xx again, but not a write's (it was carried out)", async () => {
        const clock = new FakeClock();
        const { p } = policy(clock);
        const read = script([answer(200, {}, "{trunc"), answer(200, {}, { ok: 1 })]);
        assert.deepEqual((await p.send(call(clock), read.next)).json, { value: { ok: 1 } });
        const write = script([answer(200, {}, "{trunc"), answer(200, {}, { ok: 1 })]);
        assert.equal((await p.send(call(clock, { method: "POST", body: {} }), write.next)).bodyText, "{trunc");
        assert.equal(write.seen.length, 1);
    });
});

class FakeCredential implements TokenCredential {
    n = 0;
    renewals = 0;
    fail?: Error;
    async getToken(_s: string | string[], _o?: GetTokenOptions): Promise<AccessToken> {
        if (this.fail) throw this.fail;
        return { token: `tok-${this.renewals}`, expiresOnTimestamp: Date.parse("2030-01-01T00:00:00Z") };
    }
    renew(): void {
        this.renewals++;
    }
}

describe("graph policy: auth", () => {
    function setup() {
        const clock = new FakeClock();
        const cred = new FakeCredential();
        const s = stats();
        const l = logger();
        const p = authPolicy({ auth: new BearerAuth(cred, "scope/.default", clock), clock, stats: s, log: l.log });
        return { clock, cred, s, l, p };
    }

    it("sends a bearer token, and after a 401 one fresh token and one re-send per call", async () => {
        const { clock, cred, s, l, p } = setup();
        const { next, seen } = script([answer(401), answer(401), answer(200)]);
        const c = call(clock);
        assert.equal((await p.send(c, next)).status, 401, "the second 401 is final");
        assert.deepEqual(
            seen.map((x) => x.headers.authorization),
            ["Bearer tok-0", "Bearer tok-1"],
        );
        assert.equal(cred.renewals, 1);
        assert.equal(s.retries, 1);
        assert.match(l.warn[0]!, /HTTP 401, retrying once with a fresh token/);
        assert.equal((await p.send(c, next)).status, 200, "the same call never refreshes twice");
        assert.equal(seen.length, 3);
    });

    it("reports a credential failure as GraphAuthenticationError without sending anything", async () => {
        const { clock, cred, p } = setup();
        cred.fail = new Error("AADSTS7000215: Invalid client secret provided");
        const { next, seen } = script([answer(200)]);
        const err = await p.send(call(clock), next).then(
            () => assert.fail("sent"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof GraphAuthenticationError);
        assert.match(err.message, /could not get an access token for scope\/\.default: Error: AADSTS7000215/);
        assert.equal(err.clientRequestId, "crid-1");
        assert.equal(seen.length, 0);
    });
});

describe("graph policy: throttle", () => {
    it("holds a slot for the attempt, and a 429's Retry-After pauses the client before the slot is freed", async () => {
        const clock = new FakeClock();
        const throttle = new Throttle({ maxInFlight: 4, clock });
        const s = stats();
        const p = throttlePolicy(throttle, clock, s);
        let inFlight = -1;
        const a = await p.send(call(clock), async () => {
            inFlight = throttle.inFlight;
            return answer(429, { "retry-after": "3" });
        });
        assert.equal(a.status, 429);
        assert.equal(inFlight, 1);
        assert.equal(throttle.inFlight, 0);
        assert.equal(throttle.pausedUntil, clock.now() + 3000);
        assert.equal(throttle.limit, 2, "a 429 halves the limit");
        assert.equal(s.throttled, 1);

        // Every later request of the client waits the pause out.
        const order: string[] = [];
        await p.send(call(clock), async () => {
            order.push(`sent at +${clock.now() - (throttle.pausedUntil - 3000)}`);
            return answer(200);
        });
        assert.deepEqual(clock.sleeps, [3000]);
        assert.deepEqual(order, ["sent at +3000"]);
    });

    it("a 503 with Retry-After pauses too, without halving the limit", async () => {
        const clock = new FakeClock();
        const throttle = new Throttle({ maxInFlight: 4, clock });
        await throttlePolicy(throttle, clock, stats()).send(call(clock), async () =>
            answer(503, { "retry-after": "1" }),
        );
        assert.equal(throttle.pausedUntil, clock.now() + 1000);
        assert.equal(throttle.limit, 4);
    });

    it("a pause past the call's deadline fails the call at once, unsent, as a 429", async () => {
        const clock = new FakeClock();
        const throttle = new Throttle({ clock });
        throttle.pause(10_000);
        const { next, seen } = script([answer(200)]);
        const err = await throttlePolicy(throttle, clock, stats())
            .send(call(clock, {}, 100), next)
            .then(
                () => assert.fail("sent"),
                (e: unknown) => e,
            );
        assert.ok(err instanceof GraphError);
        assert.equal(err.status, 429);
        assert.equal(err.retryAfterMs, 10_000);
        assert.equal(err.clientRequestId, "crid-1");
        assert.equal(seen.length, 0);
        assert.deepEqual(clock.sleeps, []);
    });

    it("Throttle: acquire waits for a free slot, then for a pause, on its clock", async () => {
        const clock = new FakeClock();
        const t = new Throttle({ maxInFlight: 1, clock });
        const release = await t.acquire();
        const events: string[] = [];
        const second = t.acquire().then((r) => {
            events.push("second");
            return r;
        });
        await new Promise((r) => setImmediate(r));
        events.push("release");
        release();
        (await second)();
        assert.deepEqual(events, ["release", "second"]);
        t.pause(150);
        (await t.acquire())();
        assert.deepEqual(clock.sleeps, [150]);
    });
});

describe("graph policy: logging", () => {
    it("logs one line per attempt with allow-listed query parameters and headers only", async () => {
        const clock = new FakeClock();
        const l = logger();
        const c = call(clock, { path: "/x?$filter=a%20eq%201&sig=s3cr3tSIG&code=abc&$top=5" });
        c.attempts = 1;
        c.headers = { authorization: "Bearer eyJhbGciOi.eyJzdWIiOi.sig" };
        await loggingPolicy(l.log, clock).send(c, async () => {
            await clock.sleep(7);
            return answer(200, { "request-id": "rid-1", "set-cookie": "session=abc", "retry-after": "1" });
        });
        assert.deepEqual(l.debug, [
            `op: GET ${ORIGIN}/beta/x?$filter=a%20eq%201&sig=REDACTED&code=REDACTED&$top=5 -> HTTP 200 in 7 ms ` +
                "[attempt 1, client-request-id crid-1] {request-id=rid-1; retry-after=1}",
        ]);
    });

    it("says when no answer came", async () => {
        const clock = new FakeClock();
        const l = logger();
        const c = call(clock);
        const timeout = transportError({ ambiguous: true, retryable: true, code: "ETIMEDOUT" });
        await assert.rejects(
            loggingPolicy(l.log, clock).send(c, async () => {
                throw timeout;
            }),
            GraphTransportError,
        );
        assert.match(l.debug[0]!, /^op: GET \S+ -> no response \(timeout\) in 0 ms/);
    });

    it("sanitizes URLs and headers by allow-list", () => {
        assert.equal(
            sanitizeUrl("https://h/p?%24skiptoken=abc&SIG=x&se=2026"),
            "https://h/p?%24skiptoken=abc&SIG=REDACTED&se=REDACTED",
        );
        assert.equal(sanitizeUrl("/p"), "/p");
        assert.equal(sanitizeHeaders({ Authorization: "Bearer t", "Request-Id": "r", cookie: "c" }), "request-id=r");
    });
});

describe("graph: the final answer", () => {
    it("a non-2xx becomes a GraphError with status, code, message, request-id, client-request-id and attempts", () => {
        const clock = new FakeClock();
        const c = call(clock);
        c.attempts = 3;
        const err = toGraphResponse(
            c,
            answer(
                404,
                { "request-id": "rid-4", "retry-after": "2" },
                { error: { code: "ResourceNotFound", message: "no such thing" } },
            ),
            clock.now(),
        );
        assert.ok(err instanceof GraphError);
        assert.deepEqual(
            [
                err.status,
                err.code,
                err.graphMessage,
                err.requestId,
                err.clientRequestId,
                err.attempts,
                err.retryAfterMs,
            ],
            [404, "ResourceNotFound", "no such thing", "rid-4", "crid-1", 3, 2000],
        );
        assert.match(
            err.message,
            /^op failed: HTTP 404 Not Found: no such thing \(code: ResourceNotFound, request-id: rid-4, client-request-id: crid-1/,
        );
    });

    it("an unusable 2xx to a write is an ambiguous InvalidResponse; a usable one is the response", () => {
        const clock = new FakeClock();
        const post = call(clock, { method: "POST", body: {} });
        const err = toGraphResponse(post, answer(200, { "request-id": "rid-5" }, "{trunc"), clock.now());
        assert.ok(err instanceof GraphError);
        assert.equal(err.code, "InvalidResponse");
        assert.equal(err.ambiguous, true);
        const ok = toGraphResponse<{ id: string }>(
            call(clock),
            answer(200, { "client-request-id": "echoed" }, { id: "1" }),
            clock.now(),
        );
        assert.ok(!(ok instanceof Error));
        assert.deepEqual([ok.body, ok.clientRequestId], [{ id: "1" }, "echoed"]);
    });
});
