// A Graph call as a chain of request policies, in the shape of @azure/core-rest-pipeline's PipelinePolicy
// (`sendRequest(request, next)`) and undici's interceptors: each policy sees the call, may change its headers,
// calls `next` (once, several times, or not at all) and may look at the answer. The last link sends one attempt.
//
// An HTTP answer of any status is returned; a request that got no answer throws GraphTransportError. Policies
// throw Graph errors of their own (no token, a throttle pause past the deadline) and those end the call.

import type { Target } from "./endpoint";
import type { GraphRequest } from "./types";

/** One logical call, shared by the policies and every attempt of it. */
export interface GraphCall {
    readonly request: GraphRequest;
    readonly target: Target;
    /** The JSON body, serialised once. */
    readonly body?: string;
    readonly idempotent: boolean;
    /** Same on every attempt, so an admin finds all of them in Graph's logs. */
    readonly clientRequestId: string;
    /** Epoch ms (on the client's clock) after which no attempt starts. */
    readonly deadlineAt: number;
    /** Headers of the next attempt; policies set theirs. */
    headers: Record<string, string>;
    /** HTTP attempts so far, counted by the transport link. */
    attempts: number;
}

/** An HTTP answer, whatever its status. */
export interface GraphAnswer {
    status: number;
    /** Lower-case names, one string each. */
    headers: Record<string, string>;
    bodyText: string;
    /** The body, parsed when it is JSON; `invalid` says why it is not usable (2xx answers only). */
    json?: { value: unknown } | { invalid: string };
    /** The per-attempt timeout this attempt ran under (for messages). */
    timeoutMs: number;
}

export type SendAttempt = (call: GraphCall) => Promise<GraphAnswer>;

export interface GraphPolicy {
    readonly name: string;
    send(call: GraphCall, next: SendAttempt): Promise<GraphAnswer>;
}

/** Policies run outermost first; `last` sends the attempt. */
export function composePolicies(policies: readonly GraphPolicy[], last: SendAttempt): SendAttempt {
    return policies.reduceRight<SendAttempt>((next, policy) => (call) => policy.send(call, next), last);
}
