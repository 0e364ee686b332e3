// What the client asks of a credential beyond TokenCredential: a way to drop its cached tokens after a 401
// without a claims challenge (see config/renewable-credential.ts for why @azure/identity needs it).

import type { TokenCredential } from "@azure/identity";

/** Implemented by credentials that can drop their cached tokens; the Graph client calls it after a 401. */
export interface RenewableTokenCredential extends TokenCredential {
    renew(): void;
}

export function isRenewable(c: TokenCredential): c is RenewableTokenCredential {
    return typeof (c as Partial<RenewableTokenCredential>).renew === "function";
}
