// Bearer tokens for Graph from a TokenCredential.
//
// Every attempt asks the credential (it caches and refreshes ahead of expiry). After a 401 the client asks for a
// fresh token once:
// - with a CAE claims challenge (WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64>"), the
//   decoded claims go to getToken({ claims }). In @azure/identity 4.14.1 (with @azure/msal-node 7.x) a non-empty `claims`
//   makes the confidential-client flows (secret, certificate, assertion) skip the token cache
//   (msal-node 7.x ClientCredentialClient: `if (request.skipCache || !isEmptyObj(request.claims))`);
//   AzureCliCredential answers claims with an error telling the user to `az login --claims-challenge ...`;
//   ManagedIdentityCredential ignores claims.
// - without one, there is no "force refresh" option in @azure/identity's getToken, so a RenewableCredential
//   (see ../config/renewable-credential.ts) drops its cache by building a new credential instance. Other
//   credentials are simply asked again.
// `enableCae: true` is sent on every call, as @azure/core-rest-pipeline's bearer policy does, so tokens come
// from the same (CAE) cache whether or not a challenge has been seen.

import type { GetTokenOptions, TokenCredential } from "@azure/identity";
import type { Clock } from "../util/clock";
import { isRenewable } from "./renewable";

/** Decoded `claims` of a CAE challenge in WWW-Authenticate, or undefined when there is none. */
export function parseClaimsChallenge(wwwAuthenticate: string | undefined): string | undefined {
    if (!wwwAuthenticate) return undefined;
    // Parameters of the Bearer challenge: key="value" or key=token.
    const bearer = /(?:^|,)\s*Bearer\s+(.*)$/i.exec(wwwAuthenticate);
    if (!bearer) return undefined;
    const params: Record<string, string> = {};
    for (const m of bearer[1].matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) {
        params[m[1].toLowerCase()] = m[2] ?? m[3] ?? "";
    }
    if (!params.claims) return undefined;
    if (params.error && params.error.toLowerCase() !== "insufficient_claims") return undefined;
    try {
        const decoded = Buffer.from(params.claims.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
        JSON.parse(decoded); // claims are a JSON object; anything else is not a usable challenge
        return decoded;
    } catch {
        return undefined;
    }
}

/** Refresh a cached token this long before it expires (as the Azure SDK does). */
const REFRESH_BEFORE_EXPIRY_MS = 2 * 60_000;

export class BearerAuth {
    private latest?: string;
    private refreshing?: Promise<string>;
    private cached?: { token: string; refreshAt: number };
    private pending?: Promise<string>;

    constructor(
        private readonly credential: TokenCredential,
        readonly scope: string,
        private readonly clock: Pick<Clock, "now"> = { now: () => Date.now() },
    ) {}

    /**
     * A token for the scope. Like @azure/core-rest-pipeline's bearer policy, it is kept until shortly before it
     * expires and concurrent callers share one fetch: a fleet's thousand requests must not make a thousand
     * credential calls (each a trip through MSAL's cache, and memory with them).
     */
    async token(abortSignal?: AbortSignal): Promise<string> {
        if (this.cached && this.cached.refreshAt > this.clock.now()) return this.cached.token;
        this.pending ??= this.fetch({ enableCae: true, abortSignal }).finally(() => {
            this.pending = undefined;
        });
        return this.pending;
    }

    /**
     * A new token after Graph rejected `rejected` with 401. Concurrent callers share one refresh, and a caller
     * whose rejected token was already replaced gets the replacement without another round trip.
     */
    async refresh(rejected: string, wwwAuthenticate: string | undefined, abortSignal?: AbortSignal): Promise<string> {
        const claims = parseClaimsChallenge(wwwAuthenticate);
        if (claims) return this.fetch({ enableCae: true, claims, abortSignal });
        if (this.latest !== undefined && this.latest !== rejected) return this.latest;
        if (!this.refreshing) {
            this.refreshing = (async () => {
                if (isRenewable(this.credential)) this.credential.renew();
                return this.fetch({ enableCae: true, abortSignal });
            })().finally(() => {
                this.refreshing = undefined;
            });
        }
        return this.refreshing;
    }

    private async fetch(options: GetTokenOptions): Promise<string> {
        const t = await this.credential.getToken(this.scope, options);
        if (!t || !t.token) throw new Error("the credential returned no token");
        this.latest = t.token;
        const expires = t.expiresOnTimestamp;
        // Short-lived tokens (under twice the margin) are refreshed at half their life instead.
        const margin = Math.min(REFRESH_BEFORE_EXPIRY_MS, Math.max(0, (expires - this.clock.now()) / 2));
        this.cached = { token: t.token, refreshAt: expires - margin };
        return t.token;
    }
}
