// The HTTPS server: one origin serves Graph (/beta/...), the Entra-style authority (/{tenant}/...) and the test
// controls (/_emulator/...). Several tenants may share it: the access token's tenant picks whose data Graph serves. The Graph pipeline is: route -> count -> fault (before) -> throttle -> auth -> handler
// -> fault (after) -> write.
import * as fs from "node:fs";
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Authority, matchAuthority } from "./authority";
import { type CertificatePaths, ensureCertificates } from "./certs";
import { handleControl } from "./control";
import { randomUUID } from "node:crypto";
import { type BatchItem, type BatchItemResponse, batchReply, parseBatch } from "./batch";
import { EntraError, GraphError, entraErrorReply, graphErrorReply } from "./errors";
import { type FaultInjector, FaultQueue, type FaultRule } from "./faults";
import { ACCESS_ROLES, type GraphOutcome, type GraphRoute } from "./graph";
import {
    BodyTooLargeError,
    type Correlation,
    GRAPH_JSON,
    PLAIN_JSON,
    type Reply,
    correlationFor,
    emptyReply,
    jsonReply,
    originFor,
    readBody,
    writeReply,
} from "./http";
import type { ImportStore, InMemoryImportStore } from "./imports";
import { pathSegments } from "./odata";
import {
    type EmulatorOptions,
    type FixedSettings,
    type RuntimeSettings,
    applyRuntimeOptions,
    resolveOptions,
    runtimeSnapshot,
} from "./options";
import { RateLimiter } from "./rate-limit";
import type { InMemoryRestorePoints, RestorePointStore } from "./snapshots";
import { type EmulatorStats, StatsCollector } from "./stats";
import { EmulatorTenant, type EmulatorTenantView } from "./tenant";
import { TokenService } from "./tokens";

export interface Emulator {
    /** Origin only, e.g. "https://127.0.0.1:53123"; clients append /beta/... */
    readonly graphEndpoint: string;
    /** Same origin as graphEndpoint: MSAL's authority is `${authorityHost}/${tenantId}`. */
    readonly authorityHost: string;
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    /** PEM of the CA clients must trust (NODE_EXTRA_CA_CERTS). */
    readonly caCertPath: string;
    env(): Record<string, string>;
    stats(): EmulatorStats;
    resetStats(): void;
    /**
     * The client side (address and port) of every TCP connection accepted since start, oldest first: a test behind
     * a proxy checks that each one came from the proxy's own sockets (test/integration/proxy.test.ts).
     */
    clientSockets(): Array<{ address: string; port: number }>;
    faults: FaultInjector;
    imports: ImportStore;
    /** Cloud PC restore points (E6-E9). */
    restorePoints: RestorePointStore;
    /** Every tenant's id, the first (tenantId) first. */
    tenantIds(): string[];
    /** A tenant (its first app registration, imports and restore points); undefined for an id it does not have. */
    tenant(tenantId: string): EmulatorTenantView | undefined;
    /** Every token issued so far becomes invalid (401 InvalidAuthenticationToken). */
    revokeTokens(): void;
    /** The access tokens issued so far (the most recent 1000), for tests that look for leaked tokens. */
    issuedTokens(): string[];
    /** Changes run-time knobs; throws TypeError on bad values or on options fixed at start (host, port, certDir, tenantId). */
    setOptions(p: Partial<EmulatorOptions>): void;
    /** The run-time knobs as JSON (secrets left out). */
    currentOptions(): Record<string, unknown>;
    /** Closes the server and destroys open sockets, promptly. */
    close(): Promise<void>;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BATCH_KEY = "POST $batch";

/** What a Graph request carries into the pipeline, whether it came alone or inside a batch. */
interface ItemCall {
    method: string;
    url: URL;
    rawBody: string;
    authorization: string | undefined;
    prefer: string | undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? v.join(",") : v;
}

function faultMessage(status: number): string {
    if (status === 429) return "Please retry again later.";
    if (status === 503) return "The service is temporarily unavailable. Please retry later.";
    if (status === 504) return "The request timed out at the gateway.";
    if (status >= 500) return "An internal server error occurred.";
    return "The request failed (injected fault).";
}

function faultReply(fault: FaultRule, status: number, corr: Correlation): Reply {
    const headers: Record<string, string> = fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {};
    return graphErrorReply(new GraphError(status, faultMessage(status), fault.code, headers), corr);
}

function describeFault(f: FaultRule): string {
    const parts = [
        f.status && `status=${f.status}${f.actFirst ? " after acting" : ""}`,
        f.drop && `drop=${f.drop}`,
        f.delayMs !== undefined && `delay=${f.delayMs}ms`,
        f.body && `body=${f.body}`,
        f.loopNextLink && "loopNextLink",
        f.skipSnapshotId && `skip=${f.skipSnapshotId}`,
        f.expireToken && "expireToken",
    ];
    return parts.filter(Boolean).join(",");
}

class GraphEmulator implements Emulator {
    readonly graphEndpoint: string;
    readonly authorityHost: string;
    readonly tenantId: string;
    readonly caCertPath: string;
    readonly faults: FaultQueue = new FaultQueue();

    private readonly tokens: TokenService;
    private readonly statsCollector = new StatsCollector();
    private readonly rateLimiter = new RateLimiter();
    /** tenantId's; its clients and users are the run-time options'. */
    private readonly first: EmulatorTenant;
    private readonly tenants = new Map<string, EmulatorTenant>();
    private readonly authority: Authority;
    private readonly closing = new AbortController();
    private closed: Promise<void> | undefined;

    constructor(
        private readonly server: https.Server,
        private readonly sockets: Set<Socket>,
        private readonly accepted: Array<{ address: string; port: number }>,
        fixed: FixedSettings,
        private readonly runtime: RuntimeSettings,
        certs: CertificatePaths,
        port: number,
    ) {
        this.graphEndpoint = originFor(fixed.host, port);
        this.authorityHost = this.graphEndpoint;
        this.tenantId = fixed.tenantId;
        this.caCertPath = certs.caCertPath;
        this.first = new EmulatorTenant(
            this.tenantId,
            () => runtime.clients,
            () => runtime.users,
            this.graphEndpoint,
            runtime,
        );
        this.tenants.set(this.tenantId, this.first);
        for (const t of fixed.tenants) {
            this.tenants.set(
                t.tenantId,
                new EmulatorTenant(
                    t.tenantId,
                    () => t.clients,
                    () => t.users,
                    this.graphEndpoint,
                    runtime,
                ),
            );
        }
        this.tokens = new TokenService(this.graphEndpoint, [...this.tenants.keys()]);
        this.authority = new Authority({
            origin: this.graphEndpoint,
            tenant: (id) => this.tenants.get(id),
            runtime,
            tokens: this.tokens,
        });
    }

    get imports(): InMemoryImportStore {
        return this.first.imports;
    }

    get restorePoints(): InMemoryRestorePoints {
        return this.first.restorePoints;
    }

    tenantIds(): string[] {
        return [...this.tenants.keys()];
    }

    tenant(tenantId: string): EmulatorTenant | undefined {
        return this.tenants.get(tenantId.toLowerCase());
    }

    get clientId(): string {
        return this.runtime.clients[0]!.clientId;
    }

    get clientSecret(): string {
        return this.runtime.clients[0]!.clientSecret ?? "";
    }

    env(): Record<string, string> {
        return {
            AZURE_TENANT_ID: this.tenantId,
            AZURE_CLIENT_ID: this.clientId,
            AZURE_CLIENT_SECRET: this.clientSecret,
            CLOUDPC_GRAPH_ENDPOINT: this.graphEndpoint,
            CLOUDPC_AUTHORITY_HOST: this.authorityHost,
            NODE_EXTRA_CA_CERTS: this.caCertPath,
        };
    }

    stats(): EmulatorStats {
        return this.statsCollector.snapshot();
    }

    resetStats(): void {
        this.statsCollector.reset();
    }

    clientSockets(): Array<{ address: string; port: number }> {
        return [...this.accepted];
    }

    revokeTokens(): void {
        this.tokens.revokeAll();
    }

    issuedTokens(): string[] {
        return [...this.tokens.issued];
    }

    setOptions(p: Partial<EmulatorOptions>): void {
        applyRuntimeOptions(this.runtime, p);
        if ("rateLimit" in p) this.rateLimiter.reset();
    }

    currentOptions(): Record<string, unknown> {
        return runtimeSnapshot(this.runtime);
    }

    close(): Promise<void> {
        if (this.closed) return this.closed;
        this.closing.abort(); // wakes delayed responses so nothing keeps the process alive
        this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.server.closeAllConnections();
        for (const socket of this.sockets) socket.destroy();
        return this.closed;
    }

    // ---------------------------------------------------------------- request pipeline

    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const started = Date.now();
        const corr = correlationFor(req);
        const method = (req.method ?? "GET").toUpperCase();
        let url: URL;
        try {
            url = new URL(req.url ?? "/", this.graphEndpoint);
        } catch {
            writeReply(
                res,
                corr,
                graphErrorReply(new GraphError(400, "The request URL is not valid.", "BadRequest"), corr),
            );
            return;
        }
        const parts = url.pathname.split("/").filter(Boolean);
        const log = (status: number | string, key: string, fault?: FaultRule): void => {
            const extra = fault ? ` fault[${describeFault(fault)}]` : "";
            // Path only: no query strings, headers or bodies ever reach the log (they can carry secrets).
            this.runtime.log?.(
                `${new Date().toISOString()} ${method} ${url.pathname} -> ${status} (${key}) ${Date.now() - started}ms${extra}`,
            );
        };
        try {
            if (parts[0] === "_emulator") {
                const raw = method === "POST" ? (await readBody(req)).toString("utf8") : "";
                writeReply(res, corr, handleControl(this, method, parts.slice(1), raw, corr));
                return;
            }
            if (parts[0]?.toLowerCase() === "beta") {
                await this.handleGraph(req, res, corr, method, url, log);
                return;
            }
            const authority = matchAuthority(method, parts);
            if (authority) {
                await this.handleAuthority(req, res, corr, method, url, authority, log);
                return;
            }
            // Graph's answer for a path without a known version.
            const reply = graphErrorReply(
                new GraphError(400, `Invalid version: ${parts[0] ?? ""}`, "BadRequest"),
                corr,
            );
            writeReply(res, corr, reply);
            log(reply.status, "-");
        } catch (err) {
            const tooLarge = err instanceof BodyTooLargeError;
            const reply = graphErrorReply(
                new GraphError(
                    tooLarge ? 413 : 500,
                    tooLarge ? err.message : "An internal server error occurred in the emulator.",
                ),
                corr,
            );
            writeReply(res, corr, reply);
            log(reply.status, "-");
            if (!tooLarge)
                this.runtime.log?.(
                    `emulator internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
                );
        }
    }

    private async handleGraph(
        req: IncomingMessage,
        res: ServerResponse,
        corr: Correlation,
        method: string,
        url: URL,
        log: (status: number | string, key: string, fault?: FaultRule) => void,
    ): Promise<void> {
        let route: GraphRoute;
        try {
            route = this.first.graph.match(method, pathSegments(url.pathname).slice(1));
        } catch (err) {
            if (!(err instanceof GraphError)) throw err;
            const last = url.pathname.split("/").filter(Boolean).pop() ?? "beta";
            route = {
                key: `${method} ${last.split("(")[0]}`,
                access: "read",
                run: () => {
                    throw err;
                },
            };
        }
        // A $batch envelope is no write of its own: its items are counted as what they are.
        this.statsCollector.count(route.key, WRITE_METHODS.has(method) && route.key !== BATCH_KEY);
        const fault = this.faults.take({ routeKey: route.key, method, path: url.pathname, graph: true });

        if (fault?.drop === "before") {
            req.socket.destroy();
            log("dropped", route.key, fault);
            return;
        }
        if (fault?.expireToken) {
            // As if the client's token ran out right now: it and every other token issued so far stop working.
            this.tokens.revokeAll();
            this.send(
                res,
                corr,
                graphErrorReply(this.invalidToken("Lifetime validation failed, the token is expired."), corr),
                route.key,
                fault,
                log,
            );
            return;
        }
        if (fault?.status !== undefined && !fault.actFirst) {
            if (fault.delayMs) await this.sleep(fault.delayMs);
            this.send(res, corr, faultReply(fault, fault.status, corr), route.key, fault, log);
            return;
        }
        const rawBody = (await readBody(req)).toString("utf8");
        const reply =
            route.key === BATCH_KEY
                ? fault?.status !== undefined
                    ? (this.batch(req, corr, rawBody), faultReply(fault, fault.status, corr))
                    : this.batch(req, corr, rawBody)
                : this.execute(
                      route,
                      {
                          method,
                          url,
                          rawBody,
                          authorization: req.headers.authorization,
                          prefer: headerValue(req.headers.prefer),
                      },
                      fault,
                      corr,
                  );
        await this.deliverAfterFault(req, res, corr, reply, route.key, fault, log);
    }

    /** One Graph request after its fault's "before" parts: throttle, authorize, run, and an actFirst status. */
    private execute(route: GraphRoute, call: ItemCall, fault: FaultRule | undefined, corr: Correlation): Reply {
        const limit = this.runtime.rateLimit;
        // The batch envelope is not counted: each of its items is, as Graph throttles them one by one.
        if (limit && route.key !== BATCH_KEY && !this.rateLimiter.admit(limit.requestsPerSecond)) {
            const err = new GraphError(429, "Please retry again later.", "TooManyRequests", {
                "Retry-After": String(limit.retryAfterSeconds ?? 1),
            });
            return graphErrorReply(err, corr);
        }
        let reply: Reply;
        const allowed = this.authorize(call.authorization, route);
        if (allowed instanceof GraphError) {
            reply = graphErrorReply(allowed, corr);
        } else {
            this.statsCollector.tenant(allowed.tenantId);
            try {
                const outcome: GraphOutcome = this.inTenant(allowed, call.method, call.url, route).run({
                    method: call.method,
                    url: call.url,
                    rawBody: call.rawBody,
                    loop: fault?.loopNextLink === true,
                    skipSnapshotId: fault?.skipSnapshotId,
                    prefer: call.prefer,
                });
                if (outcome.kind === "json") {
                    this.statsCollector.items(outcome.items);
                    reply = jsonReply(outcome.status, outcome.body, GRAPH_JSON, outcome.headers);
                } else {
                    reply = emptyReply(outcome.status);
                }
            } catch (err) {
                if (!(err instanceof GraphError)) throw err;
                reply = graphErrorReply(err, corr);
            }
        }
        // actFirst: the handler acted (the reply is dropped); a gateway answers the injected status instead.
        return fault?.status !== undefined ? faultReply(fault, fault.status, corr) : reply;
    }

    /** POST /beta/$batch: every item goes through the pipeline of a request of its own (route, count, fault, throttle). */
    private batch(req: IncomingMessage, corr: Correlation, rawBody: string): Reply {
        const denied = this.authorize(req.headers.authorization, {
            key: BATCH_KEY,
            access: "read",
            run: () => ({ kind: "empty", status: 204 }),
        });
        if (denied instanceof GraphError) return graphErrorReply(denied, corr);
        let items: BatchItem[];
        try {
            items = parseBatch(rawBody);
        } catch (err) {
            if (!(err instanceof GraphError)) throw err;
            return graphErrorReply(err, corr);
        }
        const responses: BatchItemResponse[] = items.map((item) => {
            const url = new URL(`/beta/${item.url.replace(/^\/+/, "")}`, this.graphEndpoint);
            const itemCorr: Correlation = {
                requestId: randomUUID(),
                clientRequestId: item.headers["client-request-id"] ?? randomUUID(),
            };
            let route: GraphRoute;
            try {
                route = this.first.graph.match(item.method, pathSegments(url.pathname).slice(1));
            } catch (err) {
                if (!(err instanceof GraphError)) throw err;
                route = {
                    key: `${item.method} -`,
                    access: "read",
                    run: () => {
                        throw err;
                    },
                };
            }
            this.statsCollector.count(route.key, WRITE_METHODS.has(item.method), true);
            const fault = this.faults.take({
                routeKey: route.key,
                method: item.method,
                path: url.pathname,
                graph: true,
            });
            const rawItemBody = item.body === undefined ? "" : JSON.stringify(item.body);
            const call: ItemCall = {
                method: item.method,
                url,
                rawBody: rawItemBody,
                authorization: req.headers.authorization,
                prefer: item.headers["Prefer"] ?? item.headers["prefer"],
            };
            const reply =
                fault?.status !== undefined && !fault.actFirst
                    ? faultReply(fault, fault.status, itemCorr)
                    : this.execute(route, call, fault, itemCorr);
            this.statsCollector.answered(reply.status);
            const headers: Record<string, string> = {
                "request-id": itemCorr.requestId,
                "client-request-id": itemCorr.clientRequestId,
            };
            for (const [k, v] of Object.entries(reply.headers))
                if (k.toLowerCase() !== "content-length") headers[k] = String(v);
            return {
                id: item.id,
                status: reply.status,
                headers,
                ...(reply.body ? { body: JSON.parse(reply.body) as unknown } : {}),
            };
        });
        return jsonReply(200, batchReply(responses), PLAIN_JSON);
    }

    /**
     * `route` (matched in the first tenant, for its stats key and faults) as the tenant of the token sees it: the same
     * path over that tenant's data. A path the first tenant's routes refused stays refused.
     */
    private inTenant(tenant: EmulatorTenant, method: string, url: URL, route: GraphRoute): GraphRoute {
        if (tenant === this.first) return route;
        try {
            return tenant.graph.match(method, pathSegments(url.pathname).slice(1));
        } catch (err) {
            if (!(err instanceof GraphError)) throw err;
            return route;
        }
    }

    /** 401 for a missing/invalid/expired/revoked token, 403 when its roles are not enough; else the token's tenant. */
    private authorize(header: string | undefined, route: GraphRoute): GraphError | EmulatorTenant {
        const token = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
        const check = this.tokens.verify(token || undefined);
        if (!check.ok) return this.invalidToken(check.message);
        const needed: readonly string[] = ACCESS_ROLES[route.access];
        if (!check.claims.roles.some((r) => needed.includes(r))) {
            return new GraphError(
                403,
                `Application is not authorized to perform this operation. Application must have one of the following scopes: ${needed.join(", ")}.`,
                "Forbidden",
            );
        }
        // verify() accepts only the tenants of this emulator.
        return this.tenants.get(check.claims.tid)!;
    }

    private invalidToken(message: string): GraphError {
        const challenge =
            `Bearer realm="", authorization_uri="${this.authorityHost}/${this.tenantId}/oauth2/v2.0/authorize", ` +
            `client_id="00000003-0000-0000-c000-000000000000", error="invalid_token"`;
        return new GraphError(401, message, "InvalidAuthenticationToken", { "WWW-Authenticate": challenge });
    }

    private async handleAuthority(
        req: IncomingMessage,
        res: ServerResponse,
        corr: Correlation,
        method: string,
        url: URL,
        route: NonNullable<ReturnType<typeof matchAuthority>>,
        log: (status: number | string, key: string, fault?: FaultRule) => void,
    ): Promise<void> {
        this.statsCollector.count(route.key, false);
        // Authority routes are only faulted by rules that name them (route "POST token" or a path part like "oauth2").
        const fault = this.faults.take({ routeKey: route.key, method, path: url.pathname, graph: false });
        if (fault?.drop === "before") {
            req.socket.destroy();
            log("dropped", route.key, fault);
            return;
        }
        const extra = { "x-ms-request-id": corr.requestId };
        if (fault?.status !== undefined) {
            if (fault.delayMs) await this.sleep(fault.delayMs);
            const err = new EntraError(
                fault.status,
                fault.status === 429 || fault.status >= 500 ? "temporarily_unavailable" : "invalid_request",
                90033,
                "A transient error has occurred. Please try again.",
            );
            const reply = entraErrorReply(err, corr, this.authorityHost);
            if (fault.retryAfter !== undefined) reply.headers["Retry-After"] = fault.retryAfter;
            Object.assign(reply.headers, extra);
            this.send(res, corr, reply, route.key, fault, log);
            return;
        }
        const rawBody = (await readBody(req)).toString("utf8");
        let reply: Reply;
        try {
            reply = this.authority.handle(route, method, rawBody);
        } catch (err) {
            if (!(err instanceof EntraError)) throw err;
            reply = entraErrorReply(err, corr, this.authorityHost);
        }
        Object.assign(reply.headers, extra);
        await this.deliverAfterFault(req, res, corr, reply, route.key, fault, log);
    }

    /** Applies the "after acting" parts of a fault (delay, drop, broken body), then writes. */
    private async deliverAfterFault(
        req: IncomingMessage,
        res: ServerResponse,
        corr: Correlation,
        reply: Reply,
        key: string,
        fault: FaultRule | undefined,
        log: (status: number | string, key: string, fault?: FaultRule) => void,
    ): Promise<void> {
        if (fault?.delayMs) await this.sleep(fault.delayMs);
        if (fault?.drop === "after") {
            req.socket.destroy();
            log("dropped-after-acting", key, fault);
            return;
        }
        if (fault?.body) {
            const full =
                reply.body ?? JSON.stringify({ "@odata.context": `${this.graphEndpoint}/beta/$metadata`, value: [] });
            // truncated: a complete HTTP answer whose JSON stops half-way; malformed: not JSON at all.
            const body =
                fault.body === "truncated"
                    ? full.slice(0, Math.max(1, Math.floor(full.length / 2)))
                    : "{ this is not JSON <html>502 Bad Gateway</html>";
            reply = { status: 200, headers: { "Content-Type": GRAPH_JSON }, body };
        }
        this.send(res, corr, reply, key, fault, log);
    }

    private send(
        res: ServerResponse,
        corr: Correlation,
        reply: Reply,
        key: string,
        fault: FaultRule | undefined,
        log: (status: number | string, key: string, fault?: FaultRule) => void,
    ): void {
        this.statsCollector.answered(reply.status);
        writeReply(res, corr, reply);
        log(reply.status, key, fault);
    }

    private sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            if (this.closing.signal.aborted) return resolve();
            const done = (): void => {
                clearTimeout(timer);
                this.closing.signal.removeEventListener("abort", done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.closing.signal.addEventListener("abort", done, { once: true });
        });
    }
}

/** Starts an emulator on `opts.host:opts.port` (default 127.0.0.1 and a free port). */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
    const { fixed, runtime } = resolveOptions(opts);
    const certs = ensureCertificates(fixed.certDir);
    let emulator: GraphEmulator | undefined;
    const server = https.createServer(
        { key: fs.readFileSync(certs.keyPath), cert: fs.readFileSync(certs.certPath), minVersion: "TLSv1.2" },
        (req, res) => {
            if (!emulator) {
                res.destroy();
                return;
            }
            void emulator.handle(req, res);
        },
    );
    const sockets = new Set<Socket>();
    const accepted: Array<{ address: string; port: number }> = [];
    server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        accepted.push({ address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 });
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined); // resets (including our own drops) are expected here
    });
    server.on("tlsClientError", (_err, socket) => socket.destroy());
    server.on("clientError", (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(fixed.port, fixed.host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    emulator = new GraphEmulator(server, sockets, accepted, fixed, runtime, certs, port);
    return emulator;
}
