// Bearer authentication: a token on every attempt, and after a 401 one fresh token and one re-send per call
// (Graph rejected the token without acting on the request). Not @azure/core-rest-pipeline's bearer policy:
// that one cannot drop the credential's cached token when a 401 carries no claims challenge (see renewable.ts).

import type { BearerAuth } from "../auth";
import type { Clock } from "../../util/clock";
import { GraphAuthenticationError } from "../errors";
import type { GraphCall, GraphPolicy } from "../pipeline";
import { tlsErrorCode } from "../retry";
import type { GraphClientStats, GraphLog } from "../types";
import { redact } from "../../util/redact";

export interface AuthPolicyOptions {
    auth: BearerAuth;
    clock: Clock;
    stats: GraphClientStats;
    log?: GraphLog;
    /**
     * Diagnosis when no token can be had: MSAL hides a refused certificate of the authority (or a proxy that refused
     * the tunnel) behind "endpoints_resolution_error", so the client looks at the authority's TLS itself. Returns
     * only problems it recognised (a TLS code, or PROXY_TUNNEL).
     */
    authorityTls?: () => Promise<{ code: string; message: string; host: string } | undefined>;
}

export function authPolicy(o: AuthPolicyOptions): GraphPolicy {
    const refreshed = new WeakSet<GraphCall>();

    async function token(call: GraphCall, after401?: { rejected: string; wwwAuthenticate?: string }): Promise<string> {
        const signal = AbortSignal.timeout(Math.max(1, call.deadlineAt - o.clock.now()));
        try {
            return after401
                ? await o.auth.refresh(after401.rejected, after401.wwwAuthenticate, signal)
                : await o.auth.token(signal);
        } catch (cause) {
            const tls = tlsErrorCode(cause) === undefined ? await o.authorityTls?.() : undefined;
            throw new GraphAuthenticationError({
                operation: call.request.operation,
                clientRequestId: call.clientRequestId,
                scope: o.auth.scope,
                cause,
                tls,
            });
        }
    }

    return {
        name: "auth",
        async send(call, next) {
            const bearer = await token(call);
            call.headers = { ...call.headers, authorization: `Bearer ${bearer}` };
            const answer = await next(call);
            if (answer.status !== 401 || refreshed.has(call)) return answer;
            refreshed.add(call);
            const fresh = await token(call, { rejected: bearer, wwwAuthenticate: answer.headers["www-authenticate"] });
            o.stats.retries++;
            o.log?.warn(
                redact(
                    `${call.request.operation}: HTTP 401, retrying once with a fresh token ` +
                        `[client-request-id ${call.clientRequestId}]`,
                ),
            );
            call.headers = { ...call.headers, authorization: `Bearer ${fresh}` };
            return next(call);
        },
    };
}
