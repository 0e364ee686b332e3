// Retry rules for Graph calls: which outcomes are retried, how long to wait.
//
// Written by hand rather than with undici's RetryHandler/interceptors.retry because those (a) re-send the same
// headers, while each attempt here needs a current bearer token, (b) cannot tell whether a failed request was
// already written to the socket, which decides whether a POST (importSnapshot) may be repeated, and (c) know
// nothing of a client-wide throttle or an overall deadline.

/**
 * Statuses worth another attempt. Idempotent calls (reads, purges) are retried on any transient server error,
 * 500 and 502 included: repeating them is harmless (the fault matrix, test/integration/faults.test.ts, found
 * refreshes and the look for an import after an ambiguous write failing on a single 500/502 to a GET).
 * Non-idempotent calls only on "not done, try later": after 500/502/504 the backend may have acted, and the caller
 * reconciles instead.
 */
const RETRY_STATUS_IDEMPOTENT: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const RETRY_STATUS_NON_IDEMPOTENT: ReadonlySet<number> = new Set([429, 503]);

export function isRetryableStatus(status: number, idempotent: boolean): boolean {
    return (idempotent ? RETRY_STATUS_IDEMPOTENT : RETRY_STATUS_NON_IDEMPOTENT).has(status);
}

/**
 * Parses Retry-After: delta-seconds (Graph sends fractional ones, e.g. "2.128") or an HTTP date. A date is read
 * against the response's own Date header when there is one, so a skewed local clock does not matter.
 * Returns milliseconds (>= 0), or undefined when absent or unparseable.
 */
export function parseRetryAfter(
    value: string | undefined,
    now: number = Date.now(),
    responseDate?: string,
): number | undefined {
    if (value === undefined) return undefined;
    const v = value.trim();
    if (v === "") return undefined;
    if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
    if (/^-\d/.test(v)) return 0;
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    const base = responseDate !== undefined && !Number.isNaN(Date.parse(responseDate)) ? Date.parse(responseDate) : now;
    return Math.max(0, at - base);
}

/** Capped exponential backoff with full jitter: uniform in [0, min(max, base * 2^retry)]. `retry` counts from 0. */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry, 30));
    return Math.floor(random() * ceiling);
}

/** How a request that got no HTTP response failed. */
export interface TransportFailure {
    /** Worth another attempt at all (TLS and programming errors are not). */
    retryable: boolean;
    /** The request may have reached Graph: only idempotent requests may be repeated. */
    ambiguous: boolean;
    code: string;
    detail: string;
}

// Failures while connecting (DNS, TCP, connect timeout): the request was never written.
const CONNECT_CODES = new Set([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENETDOWN",
    "EHOSTDOWN",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "ECONNABORTED",
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_SOCKET",
    "UND_ERR_CLOSED",
]);
// Failures after the request was written, while waiting for or reading the response.
const AFTER_SEND_CODES = new Set([
    "ECONNRESET",
    "EPIPE",
    "ETIMEDOUT",
    "ECONNABORTED",
    "UND_ERR_SOCKET",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
    "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
    "UND_ERR_CLOSED",
    "HPE_INVALID_CONSTANT",
    "HPE_INVALID_CHUNK_SIZE",
    "UND_ERR_INFO",
    "UND_ERR_ABORTED",
    "ABORT_ERR",
]);

/** undici's code when an answer exceeds the transport's maxResponseSize. */
const TOO_LARGE = "UND_ERR_RES_EXCEEDED_MAX_SIZE";

function isTlsCode(code: string): boolean {
    return (
        /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/.test(
            code,
        ) || code === "ERR_TLS_CERT_ALTNAME_INVALID"
    );
}

const HOSTNAME_CODES = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"]);

/**
 * What to do about a certificate error, for messages. A name mismatch is not fixed by trusting anything; an
 * untrusted issuer is, through NODE_EXTRA_CA_CERTS (read by Node only at start-up). Certificate checks are never
 * turned off.
 */
export function tlsAdvice(code: string, host: string): string {
    if (HOSTNAME_CODES.has(code)) {
        return (
            `The server's certificate is not valid for ${host}: use the host name it was issued for (the Graph emulator's ` +
            `certificate names localhost, 127.0.0.1 and ::1). Certificate checks are never turned off`
        );
    }
    return (
        `The server's certificate is not trusted by Node.js: add the CA that issued it to NODE_EXTRA_CA_CERTS before ` +
        `Node starts (for the Graph emulator: export NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)", or the caCertPath it ` +
        `prints). Certificate checks are never turned off`
    );
}

/** The TLS error code in `err` or its causes (undici and @azure/identity wrap them), or undefined. */
export function tlsErrorCode(err: unknown): string | undefined {
    let e: unknown = err;
    for (let i = 0; i < 6 && e; i++) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === "string" && isTlsCode(code)) return code;
        const message = e instanceof Error ? e.message : typeof e === "string" ? e : "";
        const named =
            /\b(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED)\b/.exec(
                message,
            );
        if (named) return named[1];
        if (
            /self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate/i.test(
                message,
            )
        )
            return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
        if (/does not match certificate's altnames/i.test(message)) return "ERR_TLS_CERT_ALTNAME_INVALID";
        e = (e as { cause?: unknown }).cause;
    }
    return undefined;
}

export function errorCode(err: unknown): string {
    let e: unknown = err;
    for (let i = 0; i < 4 && e; i++) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === "string" && code !== "") return code;
        e = (e as { cause?: unknown }).cause;
    }
    return err instanceof Error && err.name ? err.name : "UNKNOWN";
}

/**
 * Classifies a failure without a response. `sent` says whether undici began writing the request (its
 * onRequestStart hook ran); `timedOut` whether our own per-attempt timer fired; `host` names the peer in messages.
 */
export function classifyTransportError(
    err: unknown,
    sent: boolean,
    timedOut: boolean,
    host: string,
    timeoutMs: number,
): TransportFailure {
    const code = timedOut ? "ETIMEDOUT" : errorCode(err);
    const cause = err instanceof Error ? err.message : String(err);
    if (isTlsCode(code)) {
        return {
            retryable: false,
            ambiguous: false,
            code,
            detail: `TLS to ${host} failed (${cause}). ${tlsAdvice(code, host)}`,
        };
    }
    if (timedOut) {
        return sent
            ? {
                  retryable: true,
                  ambiguous: true,
                  code,
                  detail: `no response from ${host} within ${timeoutMs} ms after the request was sent; Graph may have acted on it`,
              }
            : {
                  retryable: true,
                  ambiguous: false,
                  code,
                  detail: `could not reach ${host} within ${timeoutMs} ms; the request was not sent`,
              };
    }
    if (!sent) {
        return CONNECT_CODES.has(code) || /^E[A-Z]+$/.test(code)
            ? {
                  retryable: true,
                  ambiguous: false,
                  code,
                  detail: `could not connect to ${host} (${cause}); the request was not sent`,
              }
            : {
                  retryable: false,
                  ambiguous: false,
                  code,
                  detail: `the request to ${host} could not be made (${cause})`,
              };
    }
    if (code === TOO_LARGE) {
        // Asking again brings the same answer; a write was carried out, so the caller reconciles.
        return {
            retryable: false,
            ambiguous: true,
            code,
            detail: `the answer from ${host} is larger than the client reads (${cause})`,
        };
    }
    return {
        retryable: AFTER_SEND_CODES.has(code) || /^E[A-Z]+$/.test(code) || /^UND_ERR_|^HPE_/.test(code),
        ambiguous: true,
        code,
        detail: `the connection to ${host} failed after the request was sent (${cause}); Graph may have acted on it`,
    };
}
