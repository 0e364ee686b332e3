// What an admin should do about a Graph error, appended to its message. Only for answers whose cause is nearly
// always the same and fixable outside Pulumi; everything else speaks for itself through Graph's code and message.

/** One sentence of advice for this status and Graph code, or undefined. */
export function adviceFor(status: number): string | undefined {
    if (status === 403) {
        return (
            "Fix: grant the app the Microsoft Graph application permission CloudPC.ReadWrite.All (CloudPC.Read.All " +
            "is enough for reads) with admin consent in Entra ID > App registrations > API permissions; the next run " +
            "gets a token that carries it."
        );
    }
    if (status === 401) {
        return (
            "Fix: the token was refused; check that cloudpc:tenantId and cloudpc:clientId (or AZURE_TENANT_ID, " +
            "AZURE_CLIENT_ID) name an app registered in this tenant, and that graphEndpoint matches its national cloud."
        );
    }
    return undefined;
}
