// Graph JSON batching (POST /beta/$batch), as Graph documents it: at most 20 requests, each with an id, a method and
// a URL relative to the version; per-item status, headers and body; responses in any order. Each item is routed,
// throttled, authorized and counted on its own, like a request of its own.
import { GraphError } from "./errors";
import { isRecord } from "./tokens";

export const MAX_BATCH_ITEMS = 20;

export interface BatchItem {
    id: string;
    method: string;
    /** Relative to the version, with or without a leading slash, e.g. "/deviceManagement/...". */
    url: string;
    headers: Record<string, string>;
    body?: unknown;
}

export interface BatchItemResponse {
    id: string;
    status: number;
    headers: Record<string, string>;
    body?: unknown;
}

/** Validates a batch body; throws GraphError 400 as Graph does for a malformed batch. */
export function parseBatch(raw: string): BatchItem[] {
    let body: unknown;
    try {
        body = JSON.parse(raw) as unknown;
    } catch {
        throw new GraphError(400, "Invalid batch payload format.", "BadRequest");
    }
    const requests = isRecord(body) ? body["requests"] : undefined;
    if (!Array.isArray(requests) || requests.length === 0) {
        throw new GraphError(400, "Invalid batch payload format: 'requests' must be a non-empty array.", "BadRequest");
    }
    if (requests.length > MAX_BATCH_ITEMS) {
        throw new GraphError(400, `Number of batch requests exceeds the limit of ${MAX_BATCH_ITEMS}.`, "BadRequest");
    }
    const seen = new Set<string>();
    return requests.map((r, i) => {
        if (!isRecord(r))
            throw new GraphError(400, `Invalid batch payload format: request ${i} is not an object.`, "BadRequest");
        const { id, method, url } = r;
        if (typeof id !== "string" || id === "" || seen.has(id)) {
            throw new GraphError(
                400,
                `Invalid batch payload format: request ${i} needs a unique string 'id'.`,
                "BadRequest",
            );
        }
        seen.add(id);
        if (typeof method !== "string" || typeof url !== "string" || /^https?:/i.test(url)) {
            throw new GraphError(
                400,
                `Invalid batch payload format: request '${id}' needs 'method' and a relative 'url'.`,
                "BadRequest",
            );
        }
        const headers = isRecord(r["headers"]) ? (r["headers"] as Record<string, string>) : {};
        return { id, method: method.toUpperCase(), url, headers, body: r["body"] };
    });
}

/** Graph answers items in any order; the emulator answers them last first, so clients cannot rely on order. */
export function batchReply(responses: BatchItemResponse[]): { responses: BatchItemResponse[] } {
    return { responses: [...responses].reverse() };
}
