// The client's public request and response shapes, apart from the client so policies can use them too.

export interface GraphLog {
    debug(msg: string): void;
    warn(msg: string): void;
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
