// Graph JSON batching: up to 20 GET requests in one POST /$batch. Graph answers each item on its own (status,
// headers, body, in any order) and throttles each item on its own: batching saves round trips and connections,
// not quota. So a per-item 429 pauses the whole client (as a 429 to a request of its own does) and that item is
// sent again, in a later batch, once the pause is over. A failure of the whole batch is retried by the client.
import type { GraphClient } from "./client";
import { GraphError, parseGraphError } from "./errors";
import { parseRetryAfter } from "./retry";

/** Graph's documented limit of requests per batch. */
export const MAX_BATCH_SIZE = 20;
/** Rounds of re-sending throttled items before they are reported as throttled. */
const MAX_THROTTLED_ROUNDS = 10;

export interface BatchGet {
    /** Unique within one call. */
    id: string;
    /** Relative to /beta, e.g. "/deviceManagement/...". */
    path: string;
}

export type BatchAnswer = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

interface WireResponse {
    id?: unknown;
    status?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
}

/** Sends the GETs in batches of at most 20 (in parallel); every id gets an answer, or the whole call throws. */
export async function batchGet(
    client: GraphClient,
    operation: string,
    gets: readonly BatchGet[],
): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>();
    const chunks: BatchGet[][] = [];
    for (let i = 0; i < gets.length; i += MAX_BATCH_SIZE) chunks.push(gets.slice(i, i + MAX_BATCH_SIZE));
    await Promise.all(chunks.map((chunk) => sendChunk(client, operation, chunk, answers)));
    return answers;
}

async function sendChunk(
    client: GraphClient,
    operation: string,
    chunk: BatchGet[],
    answers: Map<string, BatchAnswer>,
): Promise<void> {
    let pending = chunk;
    for (let round = 1; pending.length > 0; round++) {
        const res = await client.request<{ responses?: WireResponse[] }>({
            method: "POST",
            path: "/$batch",
            operation: `${operation} ($batch)`,
            idempotent: true,
            body: { requests: pending.map((g) => ({ id: g.id, method: "GET", url: g.path })) },
        });
        const byId = new Map((res.body?.responses ?? []).map((r) => [String(r.id), r] as const));
        const throttled: BatchGet[] = [];
        let waitMs = 0;
        for (const get of pending) {
            const item = byId.get(get.id);
            if (!item || typeof item.status !== "number") {
                answers.set(get.id, {
                    ok: false,
                    error: missingItem(operation, get.id, res.requestId, res.clientRequestId),
                });
                continue;
            }
            const headers = lowerCase(item.headers ?? {});
            if (item.status >= 200 && item.status < 300) {
                answers.set(get.id, { ok: true, status: item.status, body: item.body });
                continue;
            }
            const retryAfterMs = parseRetryAfter(headers["retry-after"], client.clock.now(), headers["date"]);
            if ((item.status === 429 || item.status === 503) && round < MAX_THROTTLED_ROUNDS) {
                if (item.status === 429) client.throttle.throttled();
                waitMs = Math.max(waitMs, retryAfterMs ?? 1000);
                throttled.push(get);
                continue;
            }
            answers.set(get.id, {
                ok: false,
                error: parseGraphError({
                    status: item.status,
                    bodyText: JSON.stringify(item.body ?? ""),
                    headers,
                    operation,
                    clientRequestId: headers["client-request-id"] ?? res.clientRequestId,
                    retryAfterMs,
                }),
            });
        }
        if (throttled.length > 0) {
            // Every request of this client waits, as for a 429 to a request of its own.
            client.throttle.pause(waitMs);
            await client.clock.sleep(waitMs);
        }
        pending = throttled;
    }
}

function missingItem(
    operation: string,
    id: string,
    requestId: string | undefined,
    clientRequestId: string,
): GraphError {
    return new GraphError({
        status: 502,
        code: "InvalidResponse",
        operation,
        requestId,
        clientRequestId,
        graphMessage: `the $batch answer has no response for item ${id}`,
    });
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
