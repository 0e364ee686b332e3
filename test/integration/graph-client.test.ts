// GraphClient against small local servers (loopback), so status codes, headers, dropped sockets and delays are
// exactly what each test needs. No dependency on the emulator.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { GraphClient, type GraphClientOptions } from "../../provider/graph/client";
import { GraphError, GraphTransportError, parseGraphError } from "../../provider/graph/errors";
import { backoffDelay, parseRetryAfter } from "../../provider/graph/retry";
import { Throttle } from "../../provider/graph/throttle";
import { parseClaimsChallenge } from "../../provider/graph/auth";

import { FakeClock, until } from "../harness/fake-clock";
// ---- helpers -------------------------------------------------------------------------------------------------

interface Seen {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
    at: number;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string, n: number) => void;

interface TestServer {
    origin: string;
    seen: Seen[];
    close(): Promise<void>;
}

async function listen(server: http.Server | https.Server, scheme: "http" | "https", seen: Seen[]): Promise<TestServer> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        origin: `${scheme}://127.0.0.1:${port}`,
        seen,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

function handlerFor(handler: Handler, seen: Seen[]): http.RequestListener {
    return (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: Date.now() });
            handler(req, res, body, seen.length);
        });
    };
}

async function startServer(handler: Handler): Promise<TestServer> {
    const seen: Seen[] = [];
    return listen(http.createServer(handlerFor(handler, seen)), "http", seen);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        ...headers,
    });
    res.end(text);
}

function graphError(code: string, message: string, inner: Record<string, unknown> = {}): unknown {
    return {
        error: {
            code,
            message,
            innerError: {
                date: "2025-11-25T10:00:00",
                "request-id": "rid-body",
                "client-request-id": "crid-body",
                ...inner,
            },
        },
    };
}

/** A credential that hands out tok-1, tok-2, ... and records how it was asked. */
class FakeCredential implements TokenCredential {
    calls: GetTokenOptions[] = [];
    renewals = 0;
    private n = 1;
    private current = "tok-1";
    async getToken(_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
        this.calls.push(options ?? {});
        if (options?.claims) this.current = `tok-${++this.n}`;
        return { token: this.current, expiresOnTimestamp: Date.now() + 3600_000 };
    }
    /** Like RenewableCredential: the next getToken returns a new token. */
    renew(): void {
        this.renewals++;
        this.current = `tok-${++this.n}`;
    }
}

interface LogLines {
    debug: string[];
    warn: string[];
}

function makeClient(
    origin: string,
    extra: Partial<GraphClientOptions> = {},
): { client: GraphClient; cred: FakeCredential; logs: LogLines } {
    const cred = new FakeCredential();
    const logs: LogLines = { debug: [], warn: [] };
    const client = new GraphClient({
        graphEndpoint: origin,
        credential: cred,
        scope: `${origin}/.default`,
        allowInsecureLoopback: true,
        retryBaseMs: 10,
        retryMaxMs: 40,
        log: { debug: (m) => logs.debug.push(m), warn: (m) => logs.warn.push(m) },
        ...extra,
    });
    return { client, cred, logs };
}

async function rejects<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E): Promise<E> {
    try {
        await p;
    } catch (err) {
        assert.ok(
            err instanceof type,
            `expected ${type.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        );
        return err as E;
    }
    assert.fail(`expected ${type.name}, but the call succeeded`);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- tests ---------------------------------------------------------------------------------------------------

describe("GraphClient", () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
        while (cleanup.length) await cleanup.pop()!();
    });
    async function server(handler: Handler): Promise<TestServer> {
        const s = await startServer(handler);
        cleanup.push(() => s.close());
        return s;
    }
    function client(origin: string, extra: Partial<GraphClientOptions> = {}) {
        const c = makeClient(origin, extra);
        cleanup.push(() => c.client.close());
        return c;
    }

    describe("requests", () => {
        it("prefixes /beta and sends the standard headers", async () => {
            const s = await server((_req, res) =>
                json(res, 200, { ok: true }, { "request-id": "rid-1", "client-request-id": "echo" }),
            );
            const { client: c } = client(s.origin);
            const res = await c.request<{ ok: boolean }>({
                method: "GET",
                path: "/deviceManagement/virtualEndpoint/snapshots/getSubscriptions",
                operation: "getSubscriptions",
            });
            assert.deepEqual(res.body, { ok: true });
            assert.equal(res.status, 200);
            assert.equal(res.requestId, "rid-1");
            const h = s.seen[0].headers;
            assert.equal(s.seen[0].url, "/beta/deviceManagement/virtualEndpoint/snapshots/getSubscriptions");
            assert.equal(h.authorization, "Bearer tok-1");
            assert.equal(h.accept, "application/json");
            assert.match(h["user-agent"] ?? "", /^@cloudpc\/pulumi-snapshots\/\d+\.\d+\.\d+ \(\+node \d+\.\d+\.\d+\)$/);
            assert.match(String(h["client-request-id"]), GUID);
            assert.equal(h["return-client-request-id"], "true");
            assert.equal(h["content-type"], undefined);
            assert.equal(h.connection, "keep-alive");
        });

        it("sends JSON bodies with Content-Type and a custom User-Agent", async () => {
            const s = await server((_req, res) => {
                res.writeHead(204);
                res.end();
            });
            const { client: c } = client(s.origin, { userAgent: "my-tool/1.2" });
            const res = await c.request({
                method: "POST",
                path: "/x/purgeImportedSnapshot",
                body: { snapshotIds: ["a"] },
                operation: "purgeImportedSnapshot",
            });
            assert.equal(res.status, 204);
            assert.equal(res.body, undefined);
            assert.equal(s.seen[0].headers["content-type"], "application/json");
            assert.equal(s.seen[0].headers["user-agent"], "my-tool/1.2");
            assert.deepEqual(JSON.parse(s.seen[0].body), { snapshotIds: ["a"] });
        });

        it("sends a request's extra headers (Prefer), never in place of its own", async () => {
            const s = await server((_req, res) => json(res, 200, { value: [] }));
            const { client: c } = client(s.origin);
            await c.request({
                method: "GET",
                path: "/a",
                operation: "a",
                headers: {
                    prefer: "include-unknown-enum-members",
                    authorization: "Bearer stolen",
                    "client-request-id": "mine",
                },
            });
            const h = s.seen[0].headers;
            assert.equal(h.prefer, "include-unknown-enum-members");
            assert.equal(h.authorization, "Bearer tok-1");
            assert.match(String(h["client-request-id"]), GUID);
        });

        it("uses a new client-request-id per logical call and reuses one connection", async () => {
            const ports = new Set<number>();
            const s = await server((req, res) => {
                ports.add(req.socket.remotePort ?? 0);
                json(res, 200, {});
            });
            const { client: c } = client(s.origin);
            await c.request({ method: "GET", path: "/a", operation: "a" });
            await new Promise((r) => setTimeout(r, 20)); // let undici return the socket to the pool
            await c.request({ method: "GET", path: "/b", operation: "b" });
            assert.notEqual(s.seen[0].headers["client-request-id"], s.seen[1].headers["client-request-id"]);
            assert.equal(ports.size, 1, "keep-alive: both calls on one socket");
        });
    });

    describe("retries", () => {
        it("honours Retry-After on 429 (fractional seconds), with one client-request-id across attempts", async () => {
            const clock = new FakeClock();
            const sentAt: number[] = [];
            const s = await server((_req, res, _b, n) => {
                sentAt.push(clock.now());
                return n <= 2
                    ? json(res, 429, graphError("TooManyRequests", "Please retry again later.", { code: "429" }), {
                          "retry-after": "0.25",
                      })
                    : json(res, 200, { value: [] });
            });
            const { client: c, logs } = client(s.origin, { clock });
            await c.request({ method: "GET", path: "/t", operation: "t" });
            assert.equal(s.seen.length, 3);
            assert.deepEqual(clock.sleeps, [250, 250], "one Retry-After wait per 429, none from the throttle on top");
            assert.deepEqual(
                sentAt.map((t) => t - sentAt[0]!),
                [0, 250, 500],
            );
            assert.deepEqual(c.stats, { requests: 3, retries: 2, throttled: 2 });
            const ids = new Set(s.seen.map((r) => r.headers["client-request-id"]));
            assert.equal(ids.size, 1);
            assert.equal(logs.warn.length, 2);
            assert.match(logs.warn[0], /HTTP 429, Retry-After wait 1\/50 in 250 ms/);
        });

        it("retries 503 and 504 for GET", async () => {
            const s = await server((_req, res, _b, n) =>
                n === 1
                    ? json(res, 503, graphError("serviceNotAvailable", "busy"))
                    : n === 2
                      ? json(res, 504, graphError("GatewayTimeout", "slow"))
                      : json(res, 200, { ok: 1 }),
            );
            const { client: c } = client(s.origin);
            const res = await c.request<{ ok: number }>({ method: "GET", path: "/t", operation: "t" });
            assert.equal(res.body?.ok, 1);
            assert.equal(s.seen.length, 3);
            assert.equal(c.stats.throttled, 0);
        });

        it("gives up after maxRetries with a GraphError carrying every field", async () => {
            const s = await server((_req, res) =>
                json(
                    res,
                    503,
                    {
                        error: {
                            code: "ServiceUnavailable",
                            message: "Try later",
                            innererror: {
                                code: "Backend",
                                "request-id": "rid-9",
                                "client-request-id": "crid-9",
                                date: "2025-11-25T11:00:00",
                            },
                        },
                    },
                    { "retry-after": "0.01" },
                ),
            );
            // A 503 with Retry-After is paced by Graph: its budget is maxThrottledRetries.
            const { client: c } = client(s.origin, { maxRetries: 2, maxThrottledRetries: 2 });
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "getThing" }), GraphError);
            assert.equal(s.seen.length, 3);
            assert.equal(err.status, 503);
            assert.equal(err.code, "ServiceUnavailable");
            assert.equal(err.graphMessage, "Try later");
            assert.equal(err.innerCode, "Backend");
            assert.equal(err.requestId, "rid-9");
            assert.equal(err.clientRequestId, "crid-9");
            assert.equal(err.date, "2025-11-25T11:00:00");
            assert.equal(err.operation, "getThing");
            assert.equal(err.retryAfterMs, 10);
            assert.match(
                err.message,
                /^getThing failed: HTTP 503 Service Unavailable: Try later \(code: ServiceUnavailable, inner code: Backend, request-id: rid-9, client-request-id: crid-9, date: 2025-11-25T11:00:00, retry-after: 10 ms\)$/,
            );
        });

        it("stops at the deadline rather than wait a Retry-After past it", async () => {
            const s = await server((_req, res) =>
                json(res, 429, graphError("TooManyRequests", "slow down"), { "retry-after": "30" }),
            );
            const clock = new FakeClock();
            const { client: c, logs } = client(s.origin, { deadlineMs: 1000, clock });
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "t" }), GraphError);
            assert.deepEqual(clock.sleeps, [], "no wait at all");
            assert.equal(err.status, 429);
            assert.equal(err.retryAfterMs, 30_000);
            assert.equal(s.seen.length, 1);
            assert.match(logs.warn.join("\n"), /deadline/);
        });

        it("does not retry other 4xx", async () => {
            const s = await server((_req, res) =>
                json(res, 409, graphError("Conflict", "user already has an imported snapshot")),
            );
            const { client: c } = client(s.origin);
            const err = await rejects(
                c.request({ method: "POST", path: "/x/importSnapshot", body: {}, operation: "importSnapshot" }),
                GraphError,
            );
            assert.equal(err.status, 409);
            assert.equal(s.seen.length, 1);
            assert.match(
                err.message,
                /^importSnapshot failed: HTTP 409 Conflict: user already has an imported snapshot \(code: Conflict, request-id: rid-body, client-request-id: crid-body, date: 2025-11-25T10:00:00\)$/,
            );
        });
    });

    describe("non-idempotent requests", () => {
        it("are retried after 429 and 503 (Graph rejected them)", async () => {
            const s = await server((_req, res, _b, n) =>
                n === 1
                    ? json(res, 429, graphError("TooManyRequests", "x"), { "retry-after": "0.05" })
                    : n === 2
                      ? json(res, 503, graphError("ServiceUnavailable", "x"))
                      : json(res, 200, { snapshotId: "s1" }),
            );
            const { client: c } = client(s.origin);
            const res = await c.request<{ snapshotId: string }>({
                method: "POST",
                path: "/x/importSnapshot",
                body: { a: 1 },
                operation: "importSnapshot",
            });
            assert.equal(res.body?.snapshotId, "s1");
            assert.equal(s.seen.length, 3);
        });

        it("are not retried after a reset once sent: GraphTransportError{ambiguous:true}", async () => {
            const s = await server((req) => req.socket.destroy());
            const { client: c } = client(s.origin);
            const err = await rejects(
                c.request({ method: "POST", path: "/x/importSnapshot", body: { a: 1 }, operation: "importSnapshot" }),
                GraphTransportError,
            );
            assert.equal(err.ambiguous, true);
            assert.equal(err.operation, "importSnapshot");
            assert.match(err.clientRequestId, GUID);
            assert.equal(s.seen.length, 1);
            assert.match(err.message, /may have acted/);
        });

        it("are not retried after 504 (surfaces as GraphError with ambiguous=true)", async () => {
            const s = await server((_req, res) => json(res, 504, graphError("GatewayTimeout", "upstream timed out")));
            const { client: c } = client(s.origin);
            const err = await rejects(
                c.request({ method: "POST", path: "/x/importSnapshot", body: {}, operation: "importSnapshot" }),
                GraphError,
            );
            assert.equal(s.seen.length, 1);
            assert.equal(err.ambiguous, true);
        });

        it("are retried when the connection failed before sending (ECONNREFUSED)", async () => {
            const s = await startServer(() => undefined);
            const origin = s.origin;
            await s.close(); // the port is now closed
            const { client: c } = client(origin, { maxRetries: 2 });
            const err = await rejects(
                c.request({ method: "POST", path: "/x/importSnapshot", body: {}, operation: "importSnapshot" }),
                GraphTransportError,
            );
            assert.equal(err.ambiguous, false);
            assert.equal(err.code, "ECONNREFUSED");
            assert.equal(c.stats.requests, 3);
            assert.equal(c.stats.retries, 2);
        });

        it("may be declared idempotent by the caller", async () => {
            const s = await server((req, res, _b, n) => (n === 1 ? req.socket.destroy() : json(res, 200, {})));
            const { client: c } = client(s.origin);
            await c.request({
                method: "POST",
                path: "/x/purgeImportedSnapshot",
                body: {},
                operation: "purge",
                idempotent: true,
            });
            assert.equal(s.seen.length, 2);
        });
    });

    describe("transport failures", () => {
        it("retries a GET after a reset", async () => {
            const s = await server((req, res, _b, n) =>
                n === 1 ? req.socket.destroy() : json(res, 200, { ok: true }),
            );
            const { client: c } = client(s.origin);
            const res = await c.request({ method: "GET", path: "/t", operation: "t" });
            assert.deepEqual(res.body, { ok: true });
            assert.equal(s.seen.length, 2);
            assert.equal(s.seen[0].headers["client-request-id"], s.seen[1].headers["client-request-id"]);
        });

        it("times out: GET retried then GraphTransportError; POST not retried", async () => {
            const s = await server(() => undefined); // never answers
            const clock = new FakeClock();
            const { client: c } = client(s.origin, { timeoutMs: 150, maxRetries: 1, clock });
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "t" }), GraphTransportError);
            assert.equal(clock.sleeps.length, 1, "one backoff between the two attempts");
            assert.match(err.message, /no response from 127\.0\.0\.1:\d+ within 150 ms after the request was sent/);
            assert.equal(err.code, "ETIMEDOUT");
            assert.equal(err.ambiguous, true);
            assert.equal(s.seen.length, 2);
            const post = await rejects(
                c.request({ method: "POST", path: "/x", body: {}, operation: "importSnapshot", timeoutMs: 100 }),
                GraphTransportError,
            );
            assert.equal(post.ambiguous, true);
            assert.equal(s.seen.length, 3);
            assert.match(post.message, /within 100 ms after the request was sent/);
        });

        it("retries a GET whose body was cut short (Content-Length mismatch)", async () => {
            const s = await server((req, res, _b, n) => {
                if (n === 1) {
                    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
                    res.write('{"value":[');
                    setTimeout(() => req.socket.destroy(), 20);
                } else json(res, 200, { value: [1] });
            });
            const { client: c } = client(s.origin);
            const res = await c.request<{ value: number[] }>({ method: "GET", path: "/t", operation: "t" });
            assert.deepEqual(res.body, { value: [1] });
            assert.equal(s.seen.length, 2);
        });
    });

    describe("malformed JSON on 2xx", () => {
        it("is retried for GET, then a GraphError InvalidResponse", async () => {
            const s = await server((_req, res) => {
                res.writeHead(200, { "content-type": "application/json", "request-id": "rid-x" });
                res.end('{"value": [');
            });
            const { client: c } = client(s.origin, { maxRetries: 1 });
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "t" }), GraphError);
            assert.equal(err.code, "InvalidResponse");
            assert.equal(err.status, 200);
            assert.equal(err.requestId, "rid-x");
            assert.equal(s.seen.length, 2);
        });

        it("is not retried for POST and is flagged ambiguous", async () => {
            const s = await server((_req, res) => {
                res.writeHead(200, { "content-type": "application/json" });
                res.end("<html>");
            });
            const { client: c } = client(s.origin);
            const err = await rejects(
                c.request({ method: "POST", path: "/x/importSnapshot", body: {}, operation: "importSnapshot" }),
                GraphError,
            );
            assert.equal(err.code, "InvalidResponse");
            assert.equal(err.ambiguous, true);
            assert.equal(s.seen.length, 1);
        });
    });

    describe("answers over maxResponseBytes (undici's maxResponseSize)", () => {
        for (const framing of ["content-length", "chunked"] as const) {
            it(`fail the call, not retried, ambiguous for a write (${framing})`, async () => {
                const big = JSON.stringify({ value: "x".repeat(4096) });
                const s = await server((_req, res) => {
                    res.writeHead(200, {
                        "content-type": "application/json",
                        ...(framing === "content-length" ? { "content-length": Buffer.byteLength(big) } : {}),
                    });
                    if (framing === "chunked") res.write(big.slice(0, 10));
                    res.end(framing === "chunked" ? big.slice(10) : big);
                });
                const { client: c } = client(s.origin, { maxResponseBytes: 1024 });
                const read = await rejects(
                    c.request({ method: "GET", path: "/t", operation: "t" }),
                    GraphTransportError,
                );
                assert.equal(read.code, "UND_ERR_RES_EXCEEDED_MAX_SIZE");
                assert.match(read.message, /larger than the client reads/);
                assert.equal(s.seen.length, 1, "asking again brings the same answer");
                const write = await rejects(
                    c.request({ method: "POST", path: "/x", body: {}, operation: "importSnapshot" }),
                    GraphTransportError,
                );
                assert.equal(write.ambiguous, true, "Graph answered, so the write was carried out");
                assert.equal(s.seen.length, 2);
            });
        }
    });

    describe("paging", () => {
        it("follows @odata.nextLink verbatim across 3 pages", async () => {
            let origin = "";
            const s = await server((req, res) => {
                if (req.url === "/beta/items")
                    json(res, 200, {
                        value: [1, 2],
                        "@odata.nextLink": `${origin}/beta/items?$skiptoken=a%2Fb'c&$top=2`,
                    });
                else if (req.url === "/beta/items?$skiptoken=a%2Fb'c&$top=2")
                    json(res, 200, { value: [3], "@odata.nextLink": `${origin}/beta/items?$skiptoken=zz` });
                else if (req.url === "/beta/items?$skiptoken=zz") json(res, 200, { value: [] });
                else json(res, 404, graphError("NotFound", `no ${req.url}`));
            });
            origin = s.origin;
            const { client: c } = client(s.origin);
            const pages: number[][] = [];
            for await (const p of c.pages<number>("/items", "listItems")) pages.push(p);
            assert.deepEqual(pages, [[1, 2], [3], []]);
            assert.deepEqual(await c.listAll<number>("/items", "listItems"), [1, 2, 3]);
            assert.deepEqual(
                s.seen.slice(0, 3).map((r) => r.url),
                ["/beta/items", "/beta/items?$skiptoken=a%2Fb'c&$top=2", "/beta/items?$skiptoken=zz"],
            );
        });

        it("detects a nextLink loop", async () => {
            let origin = "";
            const s = await server((_req, res) =>
                json(res, 200, { value: [1], "@odata.nextLink": `${origin}/beta/items?page=2` }),
            );
            origin = s.origin;
            const { client: c } = client(s.origin);
            const err = await rejects(c.listAll("/items", "listItems"), GraphError);
            assert.equal(err.code, "PagingLoop");
            assert.equal(s.seen.length, 2); // page 1, then page 2 whose nextLink is itself
        });

        it("bounds the number of pages", async () => {
            let origin = "";
            const s = await server((req, res) =>
                json(res, 200, { value: [1], "@odata.nextLink": `${origin}/beta/items?p=${s.seen.length}` }),
            );
            origin = s.origin;
            const { client: c } = client(s.origin, { maxPages: 4 });
            const err = await rejects(c.listAll("/items", "listItems"), GraphError);
            assert.equal(err.code, "TooManyPages");
            assert.equal(s.seen.length, 4);
        });

        it("refuses a nextLink to another origin (the token stays home)", async () => {
            const s = await server((_req, res) =>
                json(res, 200, { value: [1], "@odata.nextLink": "https://evil.example.com/beta/items?p=2" }),
            );
            const { client: c } = client(s.origin);
            await assert.rejects(c.listAll("/items", "listItems"), /Refusing to send a Graph request/);
            assert.equal(s.seen.length, 1);
        });

        it("rejects a page that is not a collection", async () => {
            const s = await server((_req, res) => json(res, 200, { notValue: 1 }));
            const { client: c } = client(s.origin);
            const err = await rejects(c.listAll("/items", "listItems"), GraphError);
            assert.equal(err.code, "InvalidResponse");
        });
    });

    describe("401", () => {
        it("gets a fresh token once and re-sends", async () => {
            const s = await server((req, res) =>
                req.headers.authorization === "Bearer tok-1"
                    ? json(res, 401, graphError("InvalidAuthenticationToken", "Access token has expired."), {
                          "www-authenticate": 'Bearer realm=""',
                      })
                    : json(res, 200, { ok: true }),
            );
            const { client: c, cred } = client(s.origin);
            await c.request({ method: "POST", path: "/x/importSnapshot", body: {}, operation: "importSnapshot" });
            assert.deepEqual(
                s.seen.map((r) => r.headers.authorization),
                ["Bearer tok-1", "Bearer tok-2"],
            );
            assert.equal(cred.renewals, 1);
            assert.ok(cred.calls.every((o) => o.enableCae === true));
        });

        it("passes the CAE claims challenge to getToken", async () => {
            const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
            const challenge = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${Buffer.from(claims).toString("base64")}"`;
            const s = await server((req, res) =>
                req.headers.authorization === "Bearer tok-1"
                    ? json(res, 401, graphError("InvalidAuthenticationToken", "claims required"), {
                          "www-authenticate": challenge,
                      })
                    : json(res, 200, {}),
            );
            const { client: c, cred } = client(s.origin);
            await c.request({ method: "GET", path: "/t", operation: "t" });
            assert.equal(cred.renewals, 0);
            assert.equal(cred.calls[1].claims, claims);
            assert.equal(s.seen.length, 2);
        });

        it("fails after the second 401", async () => {
            const s = await server((_req, res) => json(res, 401, graphError("InvalidAuthenticationToken", "nope")));
            const { client: c, cred } = client(s.origin);
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "t" }), GraphError);
            assert.equal(err.status, 401);
            assert.equal(s.seen.length, 2);
            assert.equal(cred.renewals, 1);
        });
    });

    describe("endpoint rules", () => {
        const cred = new FakeCredential();
        const opts = { credential: cred, scope: "s" };
        it("refuses http:// for non-loopback hosts, even with allowInsecureLoopback", () => {
            assert.throws(
                () =>
                    new GraphClient({
                        ...opts,
                        graphEndpoint: "http://graph.microsoft.com",
                        allowInsecureLoopback: true,
                    }),
                /plain http/,
            );
        });
        it("refuses http:// to loopback unless allowed", () => {
            assert.throws(
                () => new GraphClient({ ...opts, graphEndpoint: "http://127.0.0.1:1234" }),
                /allowInsecureLoopback/,
            );
            assert.doesNotThrow(() =>
                new GraphClient({
                    ...opts,
                    graphEndpoint: "http://localhost:1234",
                    allowInsecureLoopback: true,
                }).close(),
            );
        });
        it("wants an origin without /beta", () => {
            assert.throws(
                () => new GraphClient({ ...opts, graphEndpoint: "https://graph.microsoft.com/beta" }),
                /origin only/,
            );
            assert.doesNotThrow(() =>
                new GraphClient({ ...opts, graphEndpoint: "https://graph.microsoft.com/" }).close(),
            );
        });
        it("wants paths relative to /beta", async () => {
            const c = new GraphClient({ ...opts, graphEndpoint: "https://graph.microsoft.com" });
            await assert.rejects(c.request({ method: "GET", path: "/beta/x", operation: "t" }), /relative to \/beta/);
            await c.close();
        });
    });

    describe("TLS", () => {
        let dir: string;
        before(function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "graph-tls-"));
            try {
                execFileSync(
                    "openssl",
                    [
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        path.join(dir, "key.pem"),
                        "-out",
                        path.join(dir, "cert.pem"),
                        "-days",
                        "1",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    ],
                    { stdio: "ignore" },
                );
            } catch {
                this.skip(); // no openssl CLI
            }
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        async function tlsServer(): Promise<TestServer> {
            const seen: Seen[] = [];
            const srv = https.createServer(
                { key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) },
                handlerFor((_req, res) => json(res, 200, { tls: true }), seen),
            );
            const s = await listen(srv, "https", seen);
            cleanup.push(() => s.close());
            return s;
        }

        it("works over https with a trusted CA", async () => {
            const s = await tlsServer();
            const { client: c } = client(s.origin, {
                allowInsecureLoopback: false,
                ca: fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
            });
            const res = await c.request({ method: "GET", path: "/t", operation: "t" });
            assert.deepEqual(res.body, { tls: true });
        });

        it("trusts CAs from NODE_EXTRA_CA_CERTS (read by Node at start, so in a child process)", async function () {
            this.timeout(30_000);
            const s = await tlsServer();
            const script = [
                `const { GraphClient } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/graph/client"))});`,
                `const c = new GraphClient({ graphEndpoint: ${JSON.stringify(s.origin)}, scope: "s",`,
                `  credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60000 }) } });`,
                `c.request({ method: "GET", path: "/t", operation: "t" })`,
                `  .then((r) => { console.log(JSON.stringify(r.body)); return c.close(); })`,
                `  .catch((e) => { console.log("ERR " + e.message); process.exitCode = 1; });`,
            ].join("\n");
            const { execFile } = await import("node:child_process");
            const out = await new Promise<string>((resolve, reject) =>
                execFile(
                    process.execPath,
                    ["-r", "ts-node/register/transpile-only", "-e", script],
                    {
                        cwd: path.resolve(__dirname, "../.."),
                        env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem") },
                    },
                    (err, stdout, stderr) =>
                        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
                ),
            );
            assert.equal(out.trim(), JSON.stringify({ tls: true }));
        });

        it("end to end with @azure/identity: settings -> ClientSecretCredential on a private authority -> 401 -> new token", async function () {
            this.timeout(30_000);
            const tlsOptions = {
                key: fs.readFileSync(path.join(dir, "key.pem")),
                cert: fs.readFileSync(path.join(dir, "cert.pem")),
            };
            // A minimal Entra: OpenID metadata and a token endpoint handing out at-1, at-2, ...
            const idpSeen: Seen[] = [];
            let issued = 0;
            let idpOrigin = "";
            const idp = await listen(
                https.createServer(
                    tlsOptions,
                    handlerFor((req, res) => {
                        if (req.url?.includes("openid-configuration")) {
                            json(res, 200, {
                                token_endpoint: `${idpOrigin}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
                                authorization_endpoint: `${idpOrigin}/contoso.onmicrosoft.com/oauth2/v2.0/authorize`,
                                end_session_endpoint: `${idpOrigin}/contoso.onmicrosoft.com/oauth2/v2.0/logout`,
                                issuer: `${idpOrigin}/contoso.onmicrosoft.com/v2.0`,
                                jwks_uri: `${idpOrigin}/keys`,
                            });
                        } else
                            json(res, 200, {
                                token_type: "Bearer",
                                expires_in: 3600,
                                ext_expires_in: 3600,
                                access_token: `at-${++issued}`,
                            });
                    }, idpSeen),
                ),
                "https",
                idpSeen,
            );
            idpOrigin = idp.origin;
            cleanup.push(() => idp.close());
            const graphSeen: Seen[] = [];
            const graph = await listen(
                https.createServer(
                    tlsOptions,
                    handlerFor(
                        (req, res) =>
                            req.headers.authorization === "Bearer at-1"
                                ? json(
                                      res,
                                      401,
                                      graphError("InvalidAuthenticationToken", "Access token validation failure."),
                                  )
                                : json(res, 200, { ok: true }),
                        graphSeen,
                    ),
                ),
                "https",
                graphSeen,
            );
            cleanup.push(() => graph.close());

            const script = [
                `const { resolveSettings } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/config/settings"))});`,
                `const { runtimes } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/runtime/registry"))});`,
                `const c = runtimes.forSettings(resolveSettings(undefined, process.env)).graph;`,
                `c.request({ method: "GET", path: "/t", operation: "t" })`,
                `  .then((r) => { console.log("RESULT " + JSON.stringify({ body: r.body, stats: c.stats })); return runtimes.closeAll(); })`,
                `  .catch((e) => { console.log("ERR " + e.message); process.exitCode = 1; });`,
            ].join("\n");
            const { execFile } = await import("node:child_process");
            const out = await new Promise<string>((resolve, reject) =>
                execFile(
                    process.execPath,
                    ["-r", "ts-node/register/transpile-only", "-e", script],
                    {
                        cwd: path.resolve(__dirname, "../.."),
                        env: {
                            PATH: process.env.PATH,
                            NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem"),
                            AZURE_TENANT_ID: "contoso.onmicrosoft.com",
                            AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
                            AZURE_CLIENT_SECRET: "e2e-client-secret-value",
                            CLOUDPC_AUTHORITY_HOST: idp.origin,
                            CLOUDPC_GRAPH_ENDPOINT: graph.origin,
                        },
                    },
                    (err, stdout, stderr) =>
                        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
                ),
            );
            // Other lines (the runtime's "signing in with ..." note) may come first: the result is the marked one.
            const result = out.split("\n").find((l) => l.startsWith("RESULT "));
            assert.ok(result, `no result line in:\n${out}`);
            assert.deepEqual(JSON.parse(result.slice("RESULT ".length)), {
                body: { ok: true },
                stats: { requests: 2, retries: 1, throttled: 0 },
            });
            assert.deepEqual(
                graphSeen.map((r) => r.headers.authorization),
                ["Bearer at-1", "Bearer at-2"],
            );
            const tokenRequests = idpSeen.filter((r) => r.url.includes("/oauth2/v2.0/token"));
            assert.equal(tokenRequests.length, 2, "a new token after the 401");
            assert.ok(
                tokenRequests.every((r) => decodeURIComponent(r.body).includes(`scope=${graph.origin}/.default`)),
            );
            // disableInstanceDiscovery: every call went to our authority (none would reach login.microsoftonline.com here).
            assert.ok(
                idpSeen.every((r) => r.url.startsWith("/contoso.onmicrosoft.com/")),
                idpSeen.map((r) => r.url).join(", "),
            );
        });

        it("treats an untrusted certificate as an error, not retried", async () => {
            const s = await tlsServer();
            const { client: c } = client(s.origin, { allowInsecureLoopback: false });
            const err = await rejects(c.request({ method: "GET", path: "/t", operation: "t" }), GraphTransportError);
            assert.match(err.code, /SELF_SIGNED|UNABLE_TO_VERIFY/);
            assert.match(err.message, /NODE_EXTRA_CA_CERTS/);
            assert.equal(err.ambiguous, false);
            assert.equal(c.stats.requests, 1);
            assert.equal(s.seen.length, 0);
        });
    });

    describe("secrets", () => {
        it("never appear in error messages or log lines", async () => {
            const sas =
                "https://acct.blob.core.windows.net/c/disk.vhd?sv=2022-11-02&se=2025-12-01&sp=r&sig=AbCdEf%2Bsecret%3D";
            const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
            const s = await server((_req, res) =>
                json(
                    res,
                    400,
                    graphError(
                        "BadRequest",
                        `Invalid sasUrl ${sas}; token Bearer ${jwt}; client_secret=my-client-secret-xyz`,
                    ),
                ),
            );
            const { client: c, logs } = client(s.origin);
            const err = await rejects(
                c.request({
                    method: "POST",
                    path: "/x/importSnapshot",
                    body: { sasUrl: sas },
                    operation: "importSnapshot",
                }),
                GraphError,
            );
            const everything = [err.message, err.graphMessage, ...logs.debug, ...logs.warn].join("\n");
            for (const secret of ["AbCdEf", "my-client-secret-xyz", jwt, "tok-1"]) {
                assert.ok(!everything.includes(secret), `"${secret}" leaked: ${everything}`);
            }
            assert.match(err.graphMessage, /sig=REDACTED/);
            assert.ok(logs.debug.length > 0);
        });
    });

    describe("throttle", () => {
        it("makes concurrent requests wait after a 429 with Retry-After", async () => {
            const clock = new FakeClock({ manual: true });
            const arrived: string[] = [];
            const s = await server((req, res) => {
                arrived.push(`${req.url} at +${clock.now() - start}`);
                return req.url === "/beta/first" && s.seen.filter((r) => r.url === "/beta/first").length === 1
                    ? json(res, 429, graphError("TooManyRequests", "x"), { "retry-after": "0.4" })
                    : json(res, 200, {});
            });
            const start = clock.now();
            const { client: c } = client(s.origin, { clock });
            const all = [c.request({ method: "GET", path: "/first", operation: "first" })];
            await until(() => clock.pending === 1, "the first call waits its Retry-After");
            all.push(c.request({ method: "GET", path: "/second", operation: "second" }));
            all.push(c.request({ method: "GET", path: "/third", operation: "third" }));
            await until(() => clock.pending === 3 || arrived.length > 1, "the others wait too, or are sent");
            assert.deepEqual(arrived, ["/beta/first at +0"], "nothing sent while the Retry-After is pending");
            assert.deepEqual(clock.sleeps, [400, 400, 400]);
            clock.wakeAll();
            await Promise.all(all);
            assert.deepEqual(arrived.slice(1).sort(), [
                "/beta/first at +400",
                "/beta/second at +400",
                "/beta/third at +400",
            ]);
            assert.equal(c.stats.throttled, 1);
        });

        it("limits requests in flight", async () => {
            let inFlight = 0;
            let peak = 0;
            const s = await server((_req, res) => {
                inFlight++;
                peak = Math.max(peak, inFlight);
                setTimeout(() => {
                    inFlight--;
                    json(res, 200, {});
                }, 30);
            });
            const { client: c } = client(s.origin, { maxInFlight: 2 });
            await Promise.all(
                Array.from({ length: 6 }, (_, i) => c.request({ method: "GET", path: `/n${i}`, operation: "n" })),
            );
            assert.equal(peak, 2);
            assert.equal(s.seen.length, 6);
        });

        it("Throttle: acquire waits for a slot and for a pause", async () => {
            const clock = new FakeClock();
            const t = new Throttle({ maxInFlight: 1, clock });
            const release = await t.acquire();
            let second = false;
            const p = t.acquire().then((r) => {
                second = true;
                return r;
            });
            await new Promise((r) => setImmediate(r));
            assert.equal(second, false);
            release();
            (await p)();
            t.pause(150);
            (await t.acquire())();
            assert.deepEqual(clock.sleeps, [150]);
            t.pause(10_000);
            await assert.rejects(t.acquire(clock.now() + 100), /past the call's deadline/);
            assert.deepEqual(clock.sleeps, [150], "no wait for a pause past the deadline");
        });
    });
});

describe("retry helpers", () => {
    it("parseRetryAfter: seconds, fractional seconds, HTTP dates", () => {
        assert.equal(parseRetryAfter("3"), 3000);
        assert.equal(parseRetryAfter("2.128"), 2128);
        assert.equal(parseRetryAfter(" 0 "), 0);
        assert.equal(parseRetryAfter(undefined), undefined);
        assert.equal(parseRetryAfter("soon"), undefined);
        const now = Date.parse("Tue, 25 Nov 2025 10:00:00 GMT");
        assert.equal(parseRetryAfter("Tue, 25 Nov 2025 10:00:05 GMT", now), 5000);
        assert.equal(parseRetryAfter("Tue, 25 Nov 2025 09:00:00 GMT", now), 0);
        // Read against the response's Date header when given: local clock skew does not matter.
        assert.equal(
            parseRetryAfter("Tue, 25 Nov 2025 10:00:05 GMT", now + 60_000, "Tue, 25 Nov 2025 10:00:01 GMT"),
            4000,
        );
    });

    it("backoffDelay: capped exponential with full jitter", () => {
        assert.equal(
            backoffDelay(0, 500, 30_000, () => 0.999999),
            499,
        );
        assert.equal(
            backoffDelay(3, 500, 30_000, () => 0.5),
            2000,
        );
        assert.equal(
            backoffDelay(20, 500, 30_000, () => 0.5),
            15_000,
        );
        assert.equal(
            backoffDelay(5, 500, 30_000, () => 0),
            0,
        );
    });

    it("parseClaimsChallenge decodes CAE claims only", () => {
        const claims = '{"access_token":{"nbf":{"essential":true}}}';
        const b64 = Buffer.from(claims).toString("base64");
        assert.equal(parseClaimsChallenge(`Bearer realm="", error="insufficient_claims", claims="${b64}"`), claims);
        assert.equal(parseClaimsChallenge('Bearer realm="", error="invalid_token"'), undefined);
        assert.equal(parseClaimsChallenge(undefined), undefined);
        assert.equal(parseClaimsChallenge('Bearer claims="not-base64-json"'), undefined);
    });
});

describe("parseGraphError", () => {
    const base = { operation: "op", clientRequestId: "mine" };
    it("tells an admin what to do about a 403 (the permission) and a 401 (the app and tenant), not about other answers", () => {
        const answer = (status: number, code: string) =>
            parseGraphError({
                ...base,
                status,
                headers: { "request-id": "r9" },
                bodyText: JSON.stringify({ error: { code, message: "nope" } }),
            }).message;
        assert.match(
            answer(403, "Forbidden"),
            /\(code: Forbidden, request-id: r9, client-request-id: mine\)\. Fix: grant the app .*CloudPC\.ReadWrite\.All/,
        );
        assert.match(
            answer(401, "InvalidAuthenticationToken"),
            /Fix: the token was refused; check that cloudpc:tenantId/,
        );
        assert.doesNotMatch(answer(409, "Conflict"), /Fix:/);
        assert.doesNotMatch(answer(400, "BadRequest"), /Fix:/);
    });
    it("reads innererror case-insensitively and takes the deepest inner code", () => {
        const e = parseGraphError({
            ...base,
            status: 400,
            headers: {},
            bodyText: JSON.stringify({
                error: {
                    code: "BadRequest",
                    message: "bad",
                    InnerError: { "Request-Id": "r1", date: "d1", code: "Outer", innerError: { code: "Deepest" } },
                },
            }),
        });
        assert.equal(e.code, "BadRequest");
        assert.equal(e.innerCode, "Deepest");
        assert.equal(e.requestId, "r1");
        assert.equal(e.date, "d1");
        assert.equal(e.clientRequestId, "mine");
    });

    it("falls back to response headers", () => {
        const e = parseGraphError({
            ...base,
            status: 404,
            bodyText: JSON.stringify({ error: { code: "NotFound", message: "gone" } }),
            headers: { "request-id": "hr", "client-request-id": "hc", date: "Tue, 25 Nov 2025 10:00:00 GMT" },
        });
        assert.equal(e.requestId, "hr");
        assert.equal(e.clientRequestId, "hc");
        assert.equal(e.date, "Tue, 25 Nov 2025 10:00:00 GMT");
    });

    it("copes with bodies that are not Graph errors", () => {
        const e = parseGraphError({ ...base, status: 502, bodyText: "<html>Bad gateway</html>", headers: {} });
        assert.equal(e.code, "BadGateway");
        assert.match(e.graphMessage, /Bad gateway/);
        const empty = parseGraphError({ ...base, status: 429, bodyText: "", headers: {} });
        assert.equal(empty.code, "TooManyRequests");
        assert.equal(empty.graphMessage, "no response body");
    });

    it("unwraps an Intune-style JSON message", () => {
        const e = parseGraphError({
            ...base,
            status: 500,
            headers: {},
            bodyText: JSON.stringify({
                error: {
                    code: "InternalServerError",
                    message: JSON.stringify({ _version: 3, Message: "An error has occurred - Operation ID: 1" }),
                },
            }),
        });
        assert.equal(e.graphMessage, "An error has occurred - Operation ID: 1");
    });
});
