// A TokenCredential whose token cache can be dropped.
//
// Why: @azure/identity 4.14.1 has no "force refresh" option on getToken. Its confidential-client credentials
// (secret, certificate, client assertion) keep tokens in an in-memory MSAL cache owned by the credential
// instance; MSAL skips that cache only when `claims` (a CAE challenge) is passed. When Graph answers 401 without a
// claims challenge (token revoked, app permissions changed), the only way to get a new token is a new
// credential instance, which is what `renew()` does. Managed identity is different: MSAL keeps its cache in a
// static, process-wide store, so renewing does not help there (and is not used for it).

import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import type { RenewableTokenCredential } from "../graph/renewable";

export { isRenewable, type RenewableTokenCredential } from "../graph/renewable";

export class RenewableCredential implements RenewableTokenCredential {
    private current: TokenCredential;

    constructor(private readonly factory: () => TokenCredential) {
        this.current = factory();
    }

    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
        return this.current.getToken(scopes, options);
    }

    renew(): void {
        this.current = this.factory();
    }
}
