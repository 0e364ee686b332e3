// The Microsoft Graph (beta) client of the provider: one keep-alive connection pool, one throttle and one token
// source for every resource of a tenant. A call runs through a chain of request policies (pipeline.ts), one file
// each under policies/:
//   request ids -> retry -> auth (401: one fresh token) -> throttle -> logging -> one attempt (attempt.ts)

import type { TokenCredential } from "@azure/identity";
import { toGraphResponse, transportLink } from "./attempt";
import { BearerAuth } from "./auth";
import { systemClock, type Clock } from "../util/clock";
import { GraphEndpoint } from "./endpoint";
import { newClientRequestId } from "./headers";
import type { ODataCollection } from "./odata";
import { DEFAULT_MAX_PAGES, followPages } from "./paging";
import { composePolicies, type GraphCall, type GraphPolicy, type SendAttempt } from "./pipeline";
import { authPolicy } from "./policies/auth";
import { loggingPolicy } from "./policies/logging";
import { requestIdsPolicy } from "./policies/request-ids";
import { retryPolicy } from "./policies/retry";
import { throttlePolicy } from "./policies/throttle";
import { tlsErrorCode } from "./retry";
import { Throttle } from "./throttle";
import { PROXY_TUNNEL, Transport, type TransportOptions } from "./transport";
import type { GraphClientStats, GraphLog, GraphRequest, GraphResponse } from "./types";
import { defaultUserAgent } from "./user-agent";

export type { GraphClientStats, GraphLog, GraphRequest, GraphResponse } from "./types";

export interface GraphClientOptions {
    /** Origin; the client prefixes /beta. */
    graphEndpoint: string;
    credential: TokenCredential;
    scope: string;
    /** Default "<package name>/<version> (+node <ver>)" from package.json. */
    userAgent?: string;
    /** Per attempt, default 30000. */
    timeoutMs?: number;
    /** Retries on errors without a Retry-After (backoff), default 6. */
    maxRetries?: number;
    /**
     * Retries of answers carrying Retry-After (429, 503), default 50: Graph said when to come back, so such waits are
     * bounded by the deadline (and this sanity cap), not by maxRetries.
     */
    maxThrottledRetries?: number;
    /** Overall per-call deadline including retries, default 120000. */
    deadlineMs?: number;
    /** Backoff base and cap, defaults 500 / 30000. */
    retryBaseMs?: number;
    retryMaxMs?: number;
    /** http:// allowed only for loopback hosts when true; otherwise https only. */
    allowInsecureLoopback?: boolean;
    /** Messages pass through redact(). */
    log?: GraphLog;
    /** Requests in flight at once for this client (default 8). Ignored when `throttle` is given. */
    maxInFlight?: number;
    /** A Throttle to share with other clients (default: one of its own, on this client's clock). */
    throttle?: Throttle;
    /** Bound on pages followed by pages()/listAll() (default 1000). */
    maxPages?: number;
    /** Extra CAs to trust besides Node's own and NODE_EXTRA_CA_CERTS (tests, private endpoints). */
    ca?: TransportOptions["ca"];
    /** Which requests go through a proxy (../net/proxy-env.ts; default: none, all direct). */
    proxy?: TransportOptions["proxy"];
    /** Answers larger than this fail the call, not retried (default 32 MiB). */
    maxResponseBytes?: number;
    /**
     * The credential's authority (origin), for diagnosis only: when no token can be had, a TLS handshake with it
     * tells a certificate problem (and its fix) apart from other failures.
     */
    authorityHost?: string;
    /** Time for deadlines, retry waits, Retry-After and the throttle (default: the real one). */
    clock?: Clock;
    /** Jitter of the backoff (default Math.random). */
    random?: () => number;
}

export class GraphClient {
    readonly stats: GraphClientStats = { requests: 0, retries: 0, throttled: 0 };
    readonly endpoint: GraphEndpoint;
    readonly throttle: Throttle;
    readonly clock: Clock;

    private readonly transport: Transport;
    private readonly deadlineMs: number;
    private readonly maxPages: number;
    private readonly send: SendAttempt;
    private closed = false;

    constructor(o: GraphClientOptions) {
        this.endpoint = new GraphEndpoint(o.graphEndpoint, o.allowInsecureLoopback ?? false);
        this.clock = o.clock ?? systemClock;
        this.deadlineMs = positive(o.deadlineMs, 120_000, "deadlineMs");
        this.maxPages = positive(o.maxPages, DEFAULT_MAX_PAGES, "maxPages");
        this.throttle = o.throttle ?? new Throttle({ maxInFlight: o.maxInFlight, clock: this.clock });
        this.transport = new Transport({ ca: o.ca, maxResponseBytes: o.maxResponseBytes, proxy: o.proxy });
        const authority = o.authorityHost;
        const policies: GraphPolicy[] = [
            requestIdsPolicy(o.userAgent ?? defaultUserAgent()),
            retryPolicy({
                clock: this.clock,
                stats: this.stats,
                log: o.log,
                deadlineMs: this.deadlineMs,
                random: o.random,
                maxRetries: nonNegative(o.maxRetries, 6, "maxRetries"),
                maxThrottledRetries: nonNegative(o.maxThrottledRetries, 50, "maxThrottledRetries"),
                retryBaseMs: nonNegative(o.retryBaseMs, 500, "retryBaseMs"),
                retryMaxMs: nonNegative(o.retryMaxMs, 30_000, "retryMaxMs"),
            }),
            authPolicy({
                auth: new BearerAuth(o.credential, o.scope, this.clock),
                clock: this.clock,
                stats: this.stats,
                log: o.log,
                authorityTls: authority ? () => this.authorityTls(authority) : undefined,
            }),
            throttlePolicy(this.throttle, this.clock, this.stats),
            loggingPolicy(o.log, this.clock),
        ];
        this.send = composePolicies(
            policies,
            transportLink(this.transport, this.clock, this.stats, positive(o.timeoutMs, 30_000, "timeoutMs")),
        );
    }

    /** Sends one logical call, retrying per the rules in retry.ts. Throws GraphError for non-2xx after retries. */
    async request<T>(r: GraphRequest): Promise<GraphResponse<T>> {
        if (this.closed) throw new Error(`${r.operation} failed: the Graph client is closed`);
        const call: GraphCall = {
            request: r,
            target: this.endpoint.resolve(r.path),
            body: r.body === undefined ? undefined : JSON.stringify(r.body),
            idempotent: r.idempotent ?? r.method === "GET",
            clientRequestId: newClientRequestId(),
            deadlineAt: this.clock.now() + this.deadlineMs,
            headers: {},
            attempts: 0,
        };
        const result = toGraphResponse<T>(call, await this.send(call), this.clock.now());
        if (result instanceof Error) throw result;
        return result;
    }

    /** Pages of a collection, following @odata.nextLink verbatim. */
    pages<T>(path: string, operation: string): AsyncGenerator<T[]> {
        const page = (p: string) => this.request<ODataCollection<T>>({ method: "GET", path: p, operation });
        return followPages<T>(path, operation, page, this.maxPages);
    }

    async listAll<T>(path: string, operation: string): Promise<T[]> {
        const all: T[] = [];
        for await (const page of this.pages<T>(path, operation)) all.push(...page);
        return all;
    }

    /** Closes the connection pool; later calls fail. */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        await this.transport.close();
    }

    /**
     * A refused certificate of the authority, found by a TLS handshake of our own (nothing is sent over it), or a
     * proxy that would not tunnel to it.
     */
    private async authorityTls(
        authority: string,
    ): Promise<{ code: string; message: string; host: string } | undefined> {
        const tls = await this.transport.certificateProblem(authority);
        return tls && (tlsErrorCode(tls) || tls.code === PROXY_TUNNEL)
            ? { ...tls, host: new URL(authority).host }
            : undefined;
    }
}

function positive(v: number | undefined, fallback: number, name: string): number {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0)
        throw new Error(`GraphClient option ${name} must be a positive number, got ${v}`);
    return v;
}

function nonNegative(v: number | undefined, fallback: number, name: string): number {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < 0) throw new Error(`GraphClient option ${name} must be zero or more, got ${v}`);
    return v;
}
