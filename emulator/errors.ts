// Error bodies shaped like the real services: Graph's OData error object and Entra's OAuth error object.
import { type Correlation, GRAPH_JSON, PLAIN_JSON, type Reply, graphDate, jsonReply } from "./http";

const DEFAULT_CODES: Record<number, string> = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "itemNotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
};

export function defaultGraphCode(status: number): string {
    return DEFAULT_CODES[status] ?? (status >= 500 ? "UnknownError" : "BadRequest");
}

/** Thrown by Graph handlers; the pipeline turns it into Graph's error JSON. */
export class GraphError extends Error {
    readonly code: string;
    constructor(
        readonly status: number,
        message: string,
        code?: string,
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
        this.code = code ?? defaultGraphCode(status);
    }
}

/**
 * Graph's answer when a name under an entity set is taken as a key it has no entity for: it names nothing, so a
 * client cannot tell "no such function" from "no such record" by it.
 */
export function resourceNotFound(): GraphError {
    return new GraphError(404, "Resource not found.", "ResourceNotFound");
}

export function resourceNotFoundForSegment(segment: string): GraphError {
    // Real Graph's wording for unknown path segments and functions; clients detect missing functions by it.
    return new GraphError(400, `Resource not found for the segment '${segment}'.`, "BadRequest");
}

export function graphErrorReply(err: GraphError, corr: Correlation): Reply {
    const innerError: Record<string, string> = {
        date: graphDate(),
        "request-id": corr.requestId,
        "client-request-id": corr.clientRequestId,
    };
    if (err.status === 429) {
        // Mirrors the throttling sample in Graph's docs, which nests code/status/message in innerError.
        Object.assign(innerError, { code: "429", status: "429", message: "Please retry after" });
    }
    return jsonReply(
        err.status,
        { error: { code: err.code, message: err.message, innerError } },
        GRAPH_JSON,
        err.headers,
    );
}

/** Entra (AADSTS) error: status, OAuth error, AADSTS number and its description. */
export class EntraError extends Error {
    constructor(
        readonly status: number,
        readonly error: string,
        readonly aadsts: number,
        readonly description: string,
    ) {
        super(`AADSTS${aadsts}: ${description}`);
    }
}

export function entraErrorReply(err: EntraError, corr: Correlation, authorityOrigin: string): Reply {
    const now = new Date();
    const timestamp = `${now.toISOString().slice(0, 19).replace("T", " ")}Z`;
    const description =
        `AADSTS${err.aadsts}: ${err.description} Trace ID: ${corr.requestId} ` +
        `Correlation ID: ${corr.clientRequestId} Timestamp: ${timestamp}`;
    return jsonReply(
        err.status,
        {
            error: err.error,
            error_description: description,
            error_codes: [err.aadsts],
            timestamp,
            trace_id: corr.requestId,
            correlation_id: corr.clientRequestId,
            error_uri: `${authorityOrigin}/error?code=${err.aadsts}`,
        },
        PLAIN_JSON,
        { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" },
    );
}
