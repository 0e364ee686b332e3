// The Microsoft Graph (beta) client of the provider. One instance per process and settings (see shared.ts): one
// keep-alive connection pool, one throttle, one token source for every resource.
//
// A call runs like a small pipeline, in the spirit of @azure/core-rest-pipeline's policies, but in one loop
// because its steps share state (the attempt's token, whether the request was written, the deadline):
//   token -> throttle slot -> send (transport.ts) -> classify -> [refresh token once on 401] -> [retry with wait].

import type { TokenCredential } from "@azure/identity";
import type { ODataCollection } from "../snapshots/types";
import { redact, redactUrl } from "../util/redact";
import { BearerAuth } from "./auth";
import { GraphEndpoint, type Target } from "./endpoint";
import { GraphAuthenticationError, GraphError, GraphTransportError, parseGraphError } from "./errors";
import { newClientRequestId, requestHeaders } from "./headers";
import { DEFAULT_MAX_PAGES, followPages } from "./paging";
import { backoffDelay, classifyTransportError, isRetryableStatus, parseRetryAfter, tlsErrorCode } from "./retry";
import { sleep, Throttle, ThrottleDeadlineError } from "./throttle";
import { Transport, type TransportOptions } from "./transport";
import { defaultUserAgent } from "./user-agent";

export interface GraphLog {
    debug(msg: string): void;
    warn(msg: string): void;
}

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
    /** A Throttle to share with other clients (default: one of its own). */
    throttle?: Throttle;
    /** Bound on pages followed by pages()/listAll() (default 1000). */
    maxPages?: number;
    /** Extra CAs to trust besides Node's own and NODE_EXTRA_CA_CERTS (tests, private endpoints). */
    ca?: TransportOptions["ca"];
    /**
     * The credential's authority (origin), for diagnosis only: when no token can be had, a TLS handshake with it
     * tells a certificate problem (and its fix) apart from other failures.
     */
    authorityHost?: string;
}

export interface GraphRequest {
    method: "GET" | "POST" | "PATCH" | "DELETE";
    /** "/deviceManagement/..." relative to /beta, or an absolute URL on the same origin (nextLink). */
    path: string;
    body?: unknown;
    /** e.g. "importSnapshot"; names the call in errors and logs. */
    operation: string;
    /** Default: GET true, others false. Non-idempotent calls are retried only when Graph certainly did not act. */
    idempotent?: boolean;
    timeoutMs?: number;
    /** Extra request headers, e.g. `prefer` (never authorization or client-request-id: the client sets those). */
    headers?: Record<string, string>;
}

export interface GraphResponse<T> {
    status: number;
    body: T | undefined;
    requestId?: string;
    clientRequestId: string;
    headers: Record<string, string>;
}

export interface GraphClientStats {
    /** HTTP attempts made, retries included (also those that failed to connect). */
    requests: number;
    /** Attempts that repeated an earlier one (backoff retries and the one re-send after a 401). */
    retries: number;
    /** 429 answers received. */
    throttled: number;
}

/** Per-call state shared by the steps of the loop. */
interface Call {
    r: GraphRequest;
    target: Target;
    body?: string;
    idempotent: boolean;
    clientRequestId: string;
    deadlineAt: number;
    retries: number;
    /** Retries that waited a Retry-After (counted apart from `retries`). */
    throttledRetries: number;
    what: string;
}

export class GraphClient {
    readonly stats: GraphClientStats = { requests: 0, retries: 0, throttled: 0 };
    readonly endpoint: GraphEndpoint;
    readonly throttle: Throttle;

    private readonly auth: BearerAuth;
    private readonly transport: Transport;
    private readonly userAgent: string;
    private readonly timeoutMs: number;
    private readonly maxRetries: number;
    private readonly maxThrottledRetries: number;
    private readonly deadlineMs: number;
    private readonly retryBaseMs: number;
    private readonly retryMaxMs: number;
    private readonly maxPages: number;
    private readonly log?: GraphLog;
    private readonly authorityHost?: string;
    private closed = false;

    constructor(o: GraphClientOptions) {
        this.endpoint = new GraphEndpoint(o.graphEndpoint, o.allowInsecureLoopback ?? false);
        this.auth = new BearerAuth(o.credential, o.scope);
        this.userAgent = o.userAgent ?? defaultUserAgent();
        this.timeoutMs = positive(o.timeoutMs, 30_000, "timeoutMs");
        this.maxRetries = nonNegative(o.maxRetries, 6, "maxRetries");
        this.maxThrottledRetries = nonNegative(o.maxThrottledRetries, 50, "maxThrottledRetries");
        this.deadlineMs = positive(o.deadlineMs, 120_000, "deadlineMs");
        this.retryBaseMs = nonNegative(o.retryBaseMs, 500, "retryBaseMs");
        this.retryMaxMs = nonNegative(o.retryMaxMs, 30_000, "retryMaxMs");
        this.maxPages = positive(o.maxPages, DEFAULT_MAX_PAGES, "maxPages");
        this.throttle = o.throttle ?? new Throttle({ maxInFlight: o.maxInFlight });
        this.transport = new Transport({ ca: o.ca });
        this.log = o.log;
        this.authorityHost = o.authorityHost;
    }

    /** Sends one logical call, retrying per the rules in retry.ts. Throws GraphError for non-2xx after retries. */
    async request<T>(r: GraphRequest): Promise<GraphResponse<T>> {
        if (this.closed) throw new Error(`${r.operation} failed: the Graph client is closed`);
        const target = this.endpoint.resolve(r.path);
        const call: Call = {
            r,
            target,
            body: r.body === undefined ? undefined : JSON.stringify(r.body),
            idempotent: r.idempotent ?? r.method === "GET",
            clientRequestId: newClientRequestId(),
            deadlineAt: Date.now() + this.deadlineMs,
            retries: 0,
            throttledRetries: 0,
            what: `${r.method} ${redactUrl(target.origin + target.path)}`,
        };

        let token: string | undefined; // set only right after a 401 refresh
        let refreshedAfter401 = false;
        for (let attempt = 1; ; attempt++) {
            const bearer = token ?? (await this.getToken(call));
            token = undefined;
            const result = await this.sendOnce(call, bearer, attempt);

            if (!result.ok) {
                const f = classifyTransportError(result.error, result.sent, result.timedOut, target.host, result.timeoutMs);
                const err = new GraphTransportError({
                    operation: r.operation, clientRequestId: call.clientRequestId, ambiguous: f.ambiguous, code: f.code, detail: f.detail, cause: result.error,
                });
                // A POST that may have reached Graph is never repeated here: the caller reconciles first.
                if (f.retryable && (call.idempotent || !f.ambiguous) && (await this.waitToRetry(call, this.backoff(call), f.code))) continue;
                throw err;
            }

            const { status, headers, bodyText } = result;
            if (status >= 200 && status < 300) {
                this.throttle.succeeded();
                const parsed = this.parseBody<T>(call, status, headers, bodyText, result.tooLarge);
                if (parsed instanceof GraphError) {
                    if (call.idempotent && !result.tooLarge && (await this.waitToRetry(call, this.backoff(call), "InvalidResponse"))) continue;
                    throw parsed;
                }
                return {
                    status,
                    body: parsed.value,
                    requestId: headers["request-id"],
                    clientRequestId: headers["client-request-id"] ?? call.clientRequestId,
                    headers,
                };
            }

            if (status === 401 && !refreshedAfter401) {
                // Graph rejected the token without acting on the request: get a fresh one and re-send, once.
                refreshedAfter401 = true;
                token = await this.getToken(call, { rejected: bearer, wwwAuthenticate: headers["www-authenticate"] });
                this.stats.retries++;
                this.log?.warn(redact(`${r.operation}: HTTP 401, retrying once with a fresh token [client-request-id ${call.clientRequestId}]`));
                continue;
            }

            // The client-wide pause this answer asks for was set in sendOnce, before its slot was released.
            const retryAfterMs = parseRetryAfter(headers["retry-after"], Date.now(), headers["date"]);
            const err = parseGraphError({
                status, bodyText, headers, operation: r.operation, clientRequestId: call.clientRequestId, retryAfterMs,
                ambiguous: !call.idempotent && (status === 500 || status === 502 || status === 504), attempts: attempt,
            });
            // A throttling storm can outlast maxRetries answers while Graph would take the call well within the
            // deadline (found by test/faults.test.ts: 12 consecutive 429s failed an import): waits that Graph paced
            // with Retry-After have their own, larger budget.
            const paced = (status === 429 || status === 503) && retryAfterMs !== undefined;
            if (isRetryableStatus(status, call.idempotent) && (await this.waitToRetry(call, retryAfterMs ?? this.backoff(call), `HTTP ${status}`, paced))) continue;
            throw err;
        }
    }

    /** Pages of a collection, following @odata.nextLink verbatim. */
    pages<T>(path: string, operation: string): AsyncGenerator<T[]> {
        return followPages<T>(path, operation, (p) => this.request<ODataCollection<T>>({ method: "GET", path: p, operation }), this.maxPages);
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

    // ---- steps ------------------------------------------------------------------------------------------------

    private async getToken(call: Call, after401?: { rejected: string; wwwAuthenticate?: string }): Promise<string> {
        const signal = AbortSignal.timeout(Math.max(1, call.deadlineAt - Date.now()));
        try {
            return after401
                ? await this.auth.refresh(after401.rejected, after401.wwwAuthenticate, signal)
                : await this.auth.token(signal);
        } catch (cause) {
            // MSAL hides a refused certificate behind "endpoints_resolution_error": look at the authority's TLS ourselves.
            const tls = tlsErrorCode(cause) === undefined && this.authorityHost ? await this.transport.certificateProblem(this.authorityHost) : undefined;
            throw new GraphAuthenticationError({
                operation: call.r.operation, clientRequestId: call.clientRequestId, scope: this.auth.scope, cause,
                tls: tls && tlsErrorCode(tls) ? { ...tls, host: new URL(this.authorityHost!).host } : undefined,
            });
        }
    }

    private async sendOnce(call: Call, bearer: string, attempt: number) {
        let release: () => void;
        try {
            release = await this.throttle.acquire(call.deadlineAt);
        } catch (err) {
            if (!(err instanceof ThrottleDeadlineError)) throw err;
            throw new GraphError({
                status: 429, code: "TooManyRequests", operation: call.r.operation, clientRequestId: call.clientRequestId,
                graphMessage: `Graph is throttling this client for another ${err.pausedForMs} ms, past this call's deadline; not sent`,
                retryAfterMs: err.pausedForMs,
            });
        }
        const timeoutMs = Math.max(1, Math.min(call.r.timeoutMs ?? this.timeoutMs, call.deadlineAt - Date.now()));
        const started = Date.now();
        try {
            const result = await this.transport.send({
                origin: call.target.origin,
                path: call.target.path,
                method: call.r.method,
                headers: { ...call.r.headers, ...requestHeaders({ token: bearer, clientRequestId: call.clientRequestId, userAgent: this.userAgent, hasBody: call.body !== undefined }) },
                body: call.body,
                timeoutMs,
            });
            this.stats.requests++;
            if (result.ok) this.noteThrottling(result.status, result.headers);
            const outcome = result.ok ? `HTTP ${result.status}` : `no response (${result.timedOut ? "timeout" : "connection error"})`;
            this.log?.debug(redact(`${call.r.operation}: ${call.what} -> ${outcome} in ${Date.now() - started} ms [attempt ${attempt}, client-request-id ${call.clientRequestId}]`));
            return { ...result, timeoutMs };
        } finally {
            release();
        }
    }

    /**
     * Graph's throttling is per app and tenant: a 429 (or 503) with Retry-After makes every request of this client
     * wait, not just this one. Called before the attempt's slot is released: released first, a request queued for
     * the slot went out while the Retry-After was pending (found by test/faults.test.ts, three creates in a storm).
     */
    private noteThrottling(status: number, headers: Record<string, string>): void {
        if (status !== 429 && status !== 503) return;
        if (status === 429) {
            this.stats.throttled++;
            this.throttle.throttled();
        }
        const retryAfterMs = parseRetryAfter(headers["retry-after"], Date.now(), headers["date"]);
        if (retryAfterMs !== undefined) this.throttle.pause(retryAfterMs);
    }

    private parseBody<T>(call: Call, status: number, headers: Record<string, string>, bodyText: string, tooLarge: boolean): { value: T | undefined } | GraphError {
        const invalid = (why: string) => new GraphError({
            status, code: "InvalidResponse", graphMessage: why, operation: call.r.operation,
            requestId: headers["request-id"], clientRequestId: headers["client-request-id"] ?? call.clientRequestId, date: headers["date"],
            // Graph answered 2xx, so a POST was carried out even though its answer is unusable.
            ambiguous: !call.idempotent,
        });
        if (tooLarge) return invalid("the response body is too large to read");
        if (bodyText.trim() === "") return { value: undefined };
        try {
            return { value: JSON.parse(bodyText) as T };
        } catch (err) {
            return invalid(`the response body is not valid JSON (${bodyText.length} characters received: ${(err as Error).message})`);
        }
    }

    private backoff(call: Call): number {
        return backoffDelay(call.retries, this.retryBaseMs, this.retryMaxMs);
    }

    /**
     * Waits `delayMs` and returns true when another attempt fits in the retry budget (maxRetries, or
     * maxThrottledRetries when `paced` by a Retry-After) and the deadline; false to give up.
     */
    private async waitToRetry(call: Call, delayMs: number, reason: string, paced = false): Promise<boolean> {
        const { operation } = call.r;
        const [done, max] = paced ? [call.throttledRetries, this.maxThrottledRetries] : [call.retries, this.maxRetries];
        if (done >= max) {
            this.log?.warn(redact(`${operation}: ${reason}, giving up after ${done} ${paced ? "Retry-After waits" : "retries"} [client-request-id ${call.clientRequestId}]`));
            return false;
        }
        if (Date.now() + delayMs >= call.deadlineAt) {
            this.log?.warn(redact(`${operation}: ${reason}, giving up: waiting ${delayMs} ms would pass the ${this.deadlineMs} ms deadline [client-request-id ${call.clientRequestId}]`));
            return false;
        }
        if (paced) call.throttledRetries++;
        else call.retries++;
        this.stats.retries++;
        const which = paced ? `Retry-After wait ${call.throttledRetries}/${this.maxThrottledRetries}` : `retry ${call.retries}/${this.maxRetries}`;
        this.log?.warn(redact(`${operation}: ${reason}, ${which} in ${delayMs} ms [client-request-id ${call.clientRequestId}]`));
        await sleep(delayMs);
        return true;
    }
}

function positive(v: number | undefined, fallback: number, name: string): number {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`GraphClient option ${name} must be a positive number, got ${v}`);
    return v;
}

function nonNegative(v: number | undefined, fallback: number, name: string): number {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < 0) throw new Error(`GraphClient option ${name} must be zero or more, got ${v}`);
    return v;
}
