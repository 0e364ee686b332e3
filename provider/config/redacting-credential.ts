// Identity libraries may quote what they were given (a secret, a token) in their errors: a credential whose errors
// pass through the runtime's redactor before the Graph client or anything else sees them.
import type { TokenCredential } from "@azure/identity";
import type { Redactor } from "../util/redact";
import { isRenewable, type RenewableTokenCredential } from "./renewable-credential";

export function redactingCredential(credential: TokenCredential, redactor: Redactor): TokenCredential {
    const getToken: TokenCredential["getToken"] = async (scopes, options) => {
        try {
            return await credential.getToken(scopes, options);
        } catch (err) {
            if (err instanceof Error) err.message = redactor.redact(err.message);
            throw err;
        }
    };
    if (!isRenewable(credential)) return { getToken };
    // The Graph client renews a renewable credential after a 401: keep that ability.
    const renewable: RenewableTokenCredential = { getToken, renew: () => credential.renew() };
    return renewable;
}
