// Errors of the Graph client. Every message carries what an admin needs to trace the call in Graph's logs
// (HTTP status, Graph code, request-id, client-request-id, date) and passes through redact(): Graph error
// messages can echo request content, such as a SAS URL.

import { STATUS_CODES } from "node:http";
import type { GraphErrorBody } from "./odata";
import { redact } from "../util/redact";
import { adviceFor } from "./advice";
import { tlsAdvice, tlsErrorCode } from "./retry";
import { PROXY_TUNNEL } from "./transport";

export interface GraphErrorInit {
    status: number;
    code: string;
    graphMessage: string;
    operation: string;
    requestId?: string;
    clientRequestId?: string;
    date?: string;
    innerCode?: string;
    retryAfterMs?: number;
    /** See GraphError.ambiguous. */
    ambiguous?: boolean;
    /** See GraphError.attempts. */
    attempts?: number;
}

/** Graph answered with a non-2xx status (after retries), or with a 2xx the client could not use. */
export class GraphError extends Error {
    readonly status: number;
    readonly code: string;
    readonly graphMessage: string;
    readonly requestId?: string;
    readonly clientRequestId?: string;
    readonly date?: string;
    readonly operation: string;
    readonly innerCode?: string;
    readonly retryAfterMs?: number;
    /**
     * True when a non-idempotent request may have been carried out although this error says otherwise: Graph
     * answered 2xx but the body was unusable, or a gateway answered 500/502/504. Callers reconcile as for an
     * ambiguous GraphTransportError.
     */
    readonly ambiguous: boolean;
    /**
     * HTTP attempts of this call, this answer's included. Above 1, an earlier attempt of a non-idempotent call was
     * answered "not done" (429/503): a 4xx now (409 to importSnapshot) may be about what that attempt did after all.
     */
    readonly attempts: number;

    constructor(init: GraphErrorInit) {
        const graphMessage = redact(init.graphMessage);
        super(formatGraphErrorMessage({ ...init, graphMessage }));
        this.name = "GraphError";
        this.status = init.status;
        this.code = init.code;
        this.graphMessage = graphMessage;
        this.requestId = init.requestId;
        this.clientRequestId = init.clientRequestId;
        this.date = init.date;
        this.operation = init.operation;
        this.innerCode = init.innerCode;
        this.retryAfterMs = init.retryAfterMs;
        this.ambiguous = init.ambiguous ?? false;
        this.attempts = init.attempts ?? 1;
    }
}

export function statusText(status: number): string {
    return STATUS_CODES[status] ?? "";
}

function formatGraphErrorMessage(e: GraphErrorInit): string {
    const ids = [
        `code: ${e.code}`,
        e.innerCode && e.innerCode !== e.code ? `inner code: ${e.innerCode}` : undefined,
        `request-id: ${e.requestId ?? "none"}`,
        `client-request-id: ${e.clientRequestId ?? "none"}`,
        e.date ? `date: ${e.date}` : undefined,
        e.retryAfterMs !== undefined ? `retry-after: ${e.retryAfterMs} ms` : undefined,
    ]
        .filter(Boolean)
        .join(", ");
    const http = e.status > 0 ? `HTTP ${e.status}${statusText(e.status) ? ` ${statusText(e.status)}` : ""}: ` : "";
    const advice = adviceFor(e.status);
    return redact(`${e.operation} failed: ${http}${e.graphMessage} (${ids})${advice ? `. ${advice}` : ""}`);
}

/** The request failed below HTTP: no response (connection refused, reset, timeout, TLS...). */
export class GraphTransportError extends Error {
    readonly operation: string;
    readonly clientRequestId: string;
    /** True when the request may have reached Graph (reset or timeout after it was sent): reconcile before retrying. */
    readonly ambiguous: boolean;
    /** Node/undici error code of the cause, e.g. ECONNREFUSED, UND_ERR_SOCKET, ETIMEDOUT. */
    readonly code: string;
    /** Worth another attempt at all (TLS and programming errors are not); see retry.ts. */
    readonly retryable: boolean;
    override readonly cause?: unknown;

    constructor(init: {
        operation: string;
        clientRequestId: string;
        ambiguous: boolean;
        code: string;
        detail: string;
        cause?: unknown;
        retryable?: boolean;
    }) {
        super(
            redact(
                `${init.operation} failed: ${init.detail} (code: ${init.code}, client-request-id: ${init.clientRequestId})`,
            ),
        );
        this.name = "GraphTransportError";
        this.operation = init.operation;
        this.clientRequestId = init.clientRequestId;
        this.ambiguous = init.ambiguous;
        this.code = init.code;
        this.retryable = init.retryable ?? false;
        this.cause = init.cause;
    }
}

/** Getting a token failed; nothing was sent to Graph. */
export class GraphAuthenticationError extends Error {
    readonly operation: string;
    readonly clientRequestId: string;
    override readonly cause?: unknown;

    constructor(init: {
        operation: string;
        clientRequestId: string;
        scope: string;
        cause: unknown;
        tls?: { code: string; message: string; host: string };
    }) {
        const why = init.cause instanceof Error ? `${init.cause.name}: ${init.cause.message}` : String(init.cause);
        const advice = authorityAdvice(init.tls, init.cause);
        super(
            redact(
                `${init.operation} failed: could not get an access token for ${init.scope}: ${why}${advice} (client-request-id: ${init.clientRequestId})`,
            ),
        );
        this.name = "GraphAuthenticationError";
        this.operation = init.operation;
        this.clientRequestId = init.clientRequestId;
        this.cause = init.cause;
    }
}

// ---- parsing Graph's error body -------------------------------------------------------------------------------

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Looks a key up case-insensitively, ignoring '-' and '_' ("request-id" = "requestId" = "Request_Id"). */
function pick(obj: Dict, key: string): unknown {
    const want = key.toLowerCase().replace(/[-_]/g, "");
    for (const [k, v] of Object.entries(obj)) {
        if (k.toLowerCase().replace(/[-_]/g, "") === want) return v;
    }
    return undefined;
}

function str(v: unknown): string | undefined {
    return typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Intune-backed services sometimes put a JSON document in `message`; take its human part. */
function unwrapMessage(message: string): string {
    const t = message.trim();
    if (!t.startsWith("{")) return message;
    try {
        const inner = JSON.parse(t) as unknown;
        if (isDict(inner)) return str(pick(inner, "message")) ?? message;
    } catch {
        // not JSON after all
    }
    return message;
}

/** PascalCase name of a status ("TooManyRequests"), used as code when the body has none. */
export function codeForStatus(status: number): string {
    const text = statusText(status);
    return text
        ? text.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))
        : `Http${status}`;
}

export interface ParsedErrorInput {
    status: number;
    bodyText: string;
    headers: Record<string, string>;
    operation: string;
    /** The id this client sent; last fallback for client-request-id. */
    clientRequestId: string;
    retryAfterMs?: number;
    ambiguous?: boolean;
    attempts?: number;
}

/**
 * Builds a GraphError from a response. Reads `error.code`, `error.message` and the inner error (matched
 * case-insensitively, nested ones too: the deepest `code` is the inner code), falling back to the response
 * headers for request-id, client-request-id and date.
 */
export function parseGraphError(input: ParsedErrorInput): GraphError {
    let code: string | undefined;
    let message: string | undefined;
    let innerCode: string | undefined;
    let requestId: string | undefined;
    let clientRequestId: string | undefined;
    let date: string | undefined;

    let body: unknown;
    try {
        body = input.bodyText ? JSON.parse(input.bodyText) : undefined;
    } catch {
        body = undefined;
    }
    const error = isDict(body) ? pick(body as GraphErrorBody as Dict, "error") : undefined;
    if (isDict(error)) {
        code = str(pick(error, "code"));
        const m = pick(error, "message");
        message = isDict(m) ? str(pick(m, "value")) : str(m);
        let inner = pick(error, "innerError");
        for (let depth = 0; isDict(inner) && depth < 10; depth++) {
            innerCode = str(pick(inner, "code")) ?? innerCode;
            requestId ??= str(pick(inner, "request-id"));
            clientRequestId ??= str(pick(inner, "client-request-id"));
            date ??= str(pick(inner, "date"));
            inner = pick(inner, "innerError");
        }
    } else if (isDict(body)) {
        // OData-ish bodies without the `error` wrapper ({ code, message }).
        code = str(pick(body, "code"));
        message = str(pick(body, "message"));
    }

    if (message === undefined) {
        const snippet = input.bodyText.replace(/\s+/g, " ").trim().slice(0, 300);
        message = snippet ? `no Graph error in the response body: ${snippet}` : "no response body";
    }
    return new GraphError({
        status: input.status,
        code: code ?? codeForStatus(input.status),
        graphMessage: unwrapMessage(message),
        operation: input.operation,
        requestId: requestId ?? input.headers["request-id"] ?? input.headers["x-ms-request-id"],
        clientRequestId: clientRequestId ?? input.headers["client-request-id"] ?? input.clientRequestId,
        date: date ?? input.headers["date"],
        innerCode,
        retryAfterMs: input.retryAfterMs,
        ambiguous: input.ambiguous,
        attempts: input.attempts,
    });
}

/**
 * What fixes a failed sign-in that @azure/identity reports as a bare network error: a proxy that refused the tunnel,
 * or a certificate problem with the authority (found by the client's own diagnosis, or in the cause itself).
 */
function authorityAdvice(tls: { code: string; message: string; host: string } | undefined, cause: unknown): string {
    if (tls?.code === PROXY_TUNNEL) return `. ${tls.message}.`;
    const code = tls ? tlsErrorCode(tls) : tlsErrorCode(cause);
    if (!code) return "";
    if (!tls) return `. ${tlsAdvice(code, "the authority host")}.`;
    return `. TLS to the authority ${tls.host} fails (${tls.message}). ${tlsAdvice(code, tls.host)}.`;
}
