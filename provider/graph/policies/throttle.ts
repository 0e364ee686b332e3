// The client-wide throttle as a policy: each attempt holds a slot of the shared Throttle, and an answer that
// asks Graph's client to slow down (429, or 503 with Retry-After) pauses every request of the client. The pause
// is set before the slot is released: released first, a request queued for the slot would go out while the
// Retry-After was pending.

import type { Clock } from "../../util/clock";
import { GraphError } from "../errors";
import type { GraphPolicy } from "../pipeline";
import { parseRetryAfter } from "../retry";
import { ThrottleDeadlineError, type Throttle } from "../throttle";
import type { GraphClientStats } from "../types";

export function throttlePolicy(throttle: Throttle, clock: Clock, stats: GraphClientStats): GraphPolicy {
    return {
        name: "throttle",
        async send(call, next) {
            let release: () => void;
            try {
                release = await throttle.acquire(call.deadlineAt);
            } catch (err) {
                if (!(err instanceof ThrottleDeadlineError)) throw err;
                throw new GraphError({
                    status: 429,
                    code: "TooManyRequests",
                    operation: call.request.operation,
                    clientRequestId: call.clientRequestId,
                    retryAfterMs: err.pausedForMs,
                    graphMessage:
                        `Graph is throttling this client for another ${err.pausedForMs} ms, ` +
                        "past this call's deadline; not sent",
                });
            }
            try {
                const answer = await next(call);
                const { status, headers } = answer;
                if (status >= 200 && status < 300) throttle.succeeded();
                if (status === 429) {
                    stats.throttled++;
                    throttle.throttled();
                }
                if (status === 429 || status === 503) {
                    const ms = parseRetryAfter(headers["retry-after"], clock.now(), headers["date"]);
                    if (ms !== undefined) throttle.pause(ms);
                }
                return answer;
            } finally {
                release();
            }
        },
    };
}
