// Headers every attempt carries: the caller's extras first, then ours (so a caller cannot replace them). The
// client-request-id is the call's, the same on every attempt; Graph echoes it and adds its own request-id.

import type { GraphPolicy } from "../pipeline";

export function requestIdsPolicy(userAgent: string): GraphPolicy {
    return {
        name: "requestIds",
        send(call, next) {
            call.headers = {
                ...call.request.headers,
                ...call.headers,
                accept: "application/json",
                "user-agent": userAgent,
                "client-request-id": call.clientRequestId,
                "return-client-request-id": "true",
                ...(call.body !== undefined ? { "content-type": "application/json" } : {}),
            };
            return next(call);
        },
    };
}
