// Retries of one call, by the rules in ../retry.ts: which answers and failures are worth another attempt, with
// two budgets (backoff retries, and waits Graph paced with Retry-After) and the call's deadline over both.
//
// Not undici's RetryHandler or core-rest-pipeline's retryPolicy: neither knows whether a failed request was
// written (which decides whether a POST may be repeated), nor an overall deadline, nor a token per attempt.

import type { Clock } from "../../util/clock";
import { GraphTransportError } from "../errors";
import type { GraphAnswer, GraphCall, GraphPolicy } from "../pipeline";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "../retry";
import type { GraphClientStats, GraphLog } from "../types";
import { redact } from "../../util/redact";

export interface RetryPolicyOptions {
    clock: Clock;
    stats: GraphClientStats;
    log?: GraphLog;
    /** Backoff retries (answers without Retry-After, failures without an answer). */
    maxRetries: number;
    /**
     * Waits Graph paced with Retry-After (429, 503): a throttling storm can outlast maxRetries answers while Graph
     * would take the call well within the deadline, so these have their own, larger budget.
     */
    maxThrottledRetries: number;
    retryBaseMs: number;
    retryMaxMs: number;
    /** For messages: the deadline the call's deadlineAt was set from. */
    deadlineMs: number;
    /** Jitter source (tests make it deterministic). */
    random?: () => number;
}

interface Wait {
    delayMs: number;
    reason: string;
    paced: boolean;
}

/** The wait before another attempt after this answer, or undefined when the answer is final. */
export function retryAfterAnswer(
    call: GraphCall,
    a: GraphAnswer,
    now: number,
): (Omit<Wait, "delayMs"> & { delayMs?: number }) | undefined {
    if (a.status >= 200 && a.status < 300) {
        // An unusable 2xx: a read is asked again; a write was carried out, so the caller reconciles.
        return a.json && "invalid" in a.json && call.idempotent
            ? { reason: "InvalidResponse", paced: false }
            : undefined;
    }
    if (!isRetryableStatus(a.status, call.idempotent)) return undefined;
    const retryAfterMs = parseRetryAfter(a.headers["retry-after"], now, a.headers["date"]);
    const paced = (a.status === 429 || a.status === 503) && retryAfterMs !== undefined;
    return { delayMs: retryAfterMs, reason: `HTTP ${a.status}`, paced };
}

export function retryPolicy(o: RetryPolicyOptions): GraphPolicy {
    return {
        name: "retry",
        async send(call, next) {
            const budget = { retries: 0, paced: 0 };
            const backoff = () => backoffDelay(budget.retries, o.retryBaseMs, o.retryMaxMs, o.random);

            /** Waits and returns true when another attempt fits the budget and the deadline; false to give up. */
            const waitToRetry = async (w: Wait): Promise<boolean> => {
                const op = call.request.operation;
                const tag = `[client-request-id ${call.clientRequestId}]`;
                const [done, max] = w.paced ? [budget.paced, o.maxThrottledRetries] : [budget.retries, o.maxRetries];
                if (done >= max) {
                    const what = w.paced ? "Retry-After waits" : "retries";
                    o.log?.warn(redact(`${op}: ${w.reason}, giving up after ${done} ${what} ${tag}`));
                    return false;
                }
                if (o.clock.now() + w.delayMs >= call.deadlineAt) {
                    o.log?.warn(
                        redact(
                            `${op}: ${w.reason}, giving up: waiting ${w.delayMs} ms would pass the ` +
                                `${o.deadlineMs} ms deadline ${tag}`,
                        ),
                    );
                    return false;
                }
                if (w.paced) budget.paced++;
                else budget.retries++;
                o.stats.retries++;
                const which = w.paced
                    ? `Retry-After wait ${budget.paced}/${o.maxThrottledRetries}`
                    : `retry ${budget.retries}/${o.maxRetries}`;
                o.log?.warn(redact(`${op}: ${w.reason}, ${which} in ${w.delayMs} ms ${tag}`));
                await o.clock.sleep(w.delayMs);
                return true;
            };

            for (;;) {
                let answer: GraphAnswer;
                try {
                    answer = await next(call);
                } catch (err) {
                    // A POST that may have reached Graph is never repeated here: the caller reconciles first.
                    const again =
                        err instanceof GraphTransportError && err.retryable && (call.idempotent || !err.ambiguous);
                    if (again && (await waitToRetry({ delayMs: backoff(), reason: err.code, paced: false }))) continue;
                    throw err;
                }
                const w = retryAfterAnswer(call, answer, o.clock.now());
                if (!w) return answer;
                if (await waitToRetry({ ...w, delayMs: w.delayMs ?? backoff() })) continue;
                return answer;
            }
        },
    };
}
