// Says which credential the provider signs in with and where the settings that chose it came from (stack config,
// which environment variable, or a default), never their values; and which settings of other kinds it did not use
// and why: an AZURE_CLIENT_SECRET left in the environment while stack config says useOidc should be visible in the
// log, not guessed at.
import { accessTokenKey } from "./azure-pipelines";
import type { CredentialKind } from "./credential";
import { chooseCredential, credentialLabel } from "./credential-precedence";
import { settingSource, type ProviderSettings } from "./settings";
import type { SettingKey } from "./settings-table";

/** The settings that decide each kind, in the order they are named. */
function keysFor(kind: CredentialKind, s: ProviderSettings): SettingKey[] {
    switch (kind) {
        case "clientSecret":
            return ["clientSecret", "tenantId", "clientId"];
        case "clientCertificate":
            return ["clientCertificatePath", "clientCertificatePassword", "tenantId", "clientId"];
        case "workloadIdentity": {
            // The same order federatedAssertionSource picks the assertion in.
            const assertion: SettingKey[] = s.oidcToken
                ? ["oidcToken"]
                : s.oidcTokenFilePath
                  ? ["oidcTokenFilePath"]
                  : ["oidcRequestUrl", "oidcRequestToken", "oidcAudience"];
            return ["useOidc", ...assertion, "tenantId", "clientId"];
        }
        case "azurePipelines":
            return [
                "useOidc",
                "adoServiceConnectionId",
                accessTokenKey(s) ?? "adoSystemAccessToken",
                "tenantId",
                "clientId",
            ];
        case "azureCli":
            return ["useCli", "tenantId"];
        case "managedIdentity":
            return ["useMsi", "clientId"];
        default:
            return ["tenantId", "clientId"];
    }
}

/** One line, without values: the kind, each deciding setting's source, then the settings not used and why. */
export function describeCredentialChoice(s: ProviderSettings, kind: CredentialKind): string {
    const parts = keysFor(kind, s)
        .filter((k) => s[k] !== undefined || settingSource(s, k) !== undefined)
        .map((k) => `${k} from ${settingSource(s, k) ?? "its default"}`);
    const ignored = chooseCredential(s).ignored.map((i) => `${i.key} from ${i.source} (${i.reason})`);
    return (
        `signing in with ${credentialLabel(kind)}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}.` +
        (ignored.length > 0 ? ` Not used: ${ignored.join("; ")}.` : "")
    );
}

const logged = new Set<string>();

/** Logs `line` the first time this process sees it (one runtime per tenant, each says its choice once). */
export function logOncePerProcess(line: string, log: (message: string) => void): void {
    if (logged.has(line)) return;
    logged.add(line);
    log(line);
}
