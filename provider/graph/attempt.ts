// The last link of the pipeline: one HTTP attempt through the transport, its failure classified (retry.ts) into
// a GraphTransportError, its body parsed once; and, after the pipeline, the answer turned into the caller's
// GraphResponse or a GraphError carrying status, code, message, request-id and client-request-id.

import type { Clock } from "../util/clock";
import { GraphError, GraphTransportError, parseGraphError } from "./errors";
import type { GraphAnswer, GraphCall, SendAttempt } from "./pipeline";
import { classifyTransportError, parseRetryAfter } from "./retry";
import type { Transport } from "./transport";
import type { GraphClientStats, GraphResponse } from "./types";

export function transportLink(
    transport: Transport,
    clock: Clock,
    stats: GraphClientStats,
    timeoutMs: number,
): SendAttempt {
    return async (call) => {
        const attemptTimeout = Math.max(
            1,
            Math.min(call.request.timeoutMs ?? timeoutMs, call.deadlineAt - clock.now()),
        );
        call.attempts++;
        const result = await transport.send({
            origin: call.target.origin,
            path: call.target.path,
            method: call.request.method,
            headers: call.headers,
            body: call.body,
            timeoutMs: attemptTimeout,
        });
        stats.requests++;
        if (!result.ok) {
            const f = classifyTransportError(
                result.error,
                result.sent,
                result.timedOut,
                call.target.host,
                attemptTimeout,
            );
            throw new GraphTransportError({
                operation: call.request.operation,
                clientRequestId: call.clientRequestId,
                ambiguous: f.ambiguous,
                code: f.code,
                detail: f.detail,
                cause: result.error,
                retryable: f.retryable,
            });
        }
        const { status, headers, bodyText } = result;
        return { status, headers, bodyText, json: parseJson(status, bodyText), timeoutMs: attemptTimeout };
    };
}

function parseJson(status: number, bodyText: string): GraphAnswer["json"] {
    if (bodyText.trim() === "") return undefined;
    try {
        return { value: JSON.parse(bodyText) as unknown };
    } catch (err) {
        if (status < 200 || status >= 300) return undefined; // error bodies are read by parseGraphError
        return {
            invalid: `the response body is not valid JSON (${bodyText.length} characters received: ${(err as Error).message})`,
        };
    }
}

/** The caller's view of the final answer: the response for a usable 2xx, else the GraphError to throw. */
export function toGraphResponse<T>(call: GraphCall, a: GraphAnswer, now: number): GraphResponse<T> | GraphError {
    const { status, headers } = a;
    const clientRequestId = headers["client-request-id"] ?? call.clientRequestId;
    if (status >= 200 && status < 300) {
        if (a.json && "invalid" in a.json) {
            return new GraphError({
                status,
                code: "InvalidResponse",
                graphMessage: a.json.invalid,
                operation: call.request.operation,
                requestId: headers["request-id"],
                clientRequestId,
                date: headers["date"],
                // Graph answered 2xx, so a POST was carried out even though its answer is unusable.
                ambiguous: !call.idempotent,
            });
        }
        return {
            status,
            body: a.json?.value as T | undefined,
            requestId: headers["request-id"],
            clientRequestId,
            headers,
        };
    }
    return parseGraphError({
        status,
        bodyText: a.bodyText,
        headers,
        operation: call.request.operation,
        clientRequestId: call.clientRequestId,
        retryAfterMs: parseRetryAfter(headers["retry-after"], now, headers["date"]),
        ambiguous: !call.idempotent && (status === 500 || status === 502 || status === 504),
        attempts: call.attempts,
    });
}
