// Azure DevOps workload identity: an Azure Resource Manager service connection with workload identity federation.
// @azure/identity's AzurePipelinesCredential asks Azure Pipelines (POST $SYSTEM_OIDCREQUESTURI, authorized by the
// job's System.AccessToken) for a fresh ID token of the connection at each Entra sign-in, so a run outlives the ID
// tokens' short life. What it needs is checked here first, so a missing piece is a SettingsError naming the setting
// and the fix rather than the library's "CredentialUnavailableError". System.AccessToken is a secret: the runtime
// registers it with its redactor, and it never appears in a message built here.
import { AzurePipelinesCredential, type TokenCredential } from "@azure/identity";
import type { credentialOptions } from "./credential";
import { RenewableCredential } from "./renewable-credential";
import { SettingsError } from "./settings-error";
import { describeSetting, specFor } from "./settings-table";
import { settingSource, type ProviderSettings } from "./settings";

/** The variable AzurePipelinesCredential reads the ID-token endpoint from (Azure Pipelines sets it in every job). */
export const OIDC_REQUEST_URI_ENV = "SYSTEM_OIDCREQUESTURI";

/** The YAML line that gives a step the job's access token (Azure Pipelines never puts secrets in env by itself). */
export const ACCESS_TOKEN_MAPPING = "SYSTEM_ACCESSTOKEN: $(System.AccessToken)";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type AdoSettings = Pick<
    ProviderSettings,
    | "oidcToken"
    | "oidcTokenFilePath"
    | "oidcRequestUrl"
    | "oidcRequestToken"
    | "adoServiceConnectionId"
    | "adoSystemAccessToken"
>;

/**
 * With useOidc on, whether Azure DevOps is the federated token's source: a service connection id was given, or only
 * System.AccessToken (then the error names the missing id). A token or token file the user gave wins, as for GitHub;
 * GitHub's runner URL wins over a lone access token (it is mapped in Azure DevOps for other uses too).
 */
export function usesAzurePipelines(s: AdoSettings): boolean {
    if (s.oidcToken || s.oidcTokenFilePath) return false;
    return s.adoServiceConnectionId !== undefined || (s.adoSystemAccessToken !== undefined && !s.oidcRequestUrl);
}

/** The setting that holds System.AccessToken: its own, else the request token Terraform's azurerm passes it in. */
export function accessTokenKey(s: AdoSettings): "adoSystemAccessToken" | "oidcRequestToken" | undefined {
    if (s.adoSystemAccessToken) return "adoSystemAccessToken";
    return s.oidcRequestToken ? "oidcRequestToken" : undefined;
}

export interface AzurePipelinesPieces {
    tenantId: string;
    clientId: string;
    serviceConnectionId: string;
    systemAccessToken: string;
}

/** Everything AzurePipelinesCredential needs, or a SettingsError naming the first missing piece and its fix. */
export function azurePipelinesPieces(s: ProviderSettings, env: NodeJS.ProcessEnv): AzurePipelinesPieces {
    const because = "Azure DevOps workload identity (useOidc with a service connection) is selected";
    const serviceConnectionId = s.adoServiceConnectionId;
    if (!serviceConnectionId) {
        throw new SettingsError(
            `Missing provider setting: ${because} by ${describeSetting(specFor("adoSystemAccessToken", s.namespace))}, but ` +
                `${describeSetting(specFor("adoServiceConnectionId", s.namespace))} is not set. Fix: give the service connection's ` +
                "id (Project settings > Service connections > the connection: the resourceId in the page's address), " +
                "or run the step in an AzureCLI@2 task with `azureSubscription: <connection>`, which sets it.",
            [specFor("adoServiceConnectionId", s.namespace).configKey],
        );
    }
    if (!GUID.test(serviceConnectionId)) {
        throw SettingsError.invalid(
            specFor("adoServiceConnectionId", s.namespace),
            serviceConnectionId,
            settingSource(s, "adoServiceConnectionId") ?? "settings",
            "is not a GUID",
            "give the service connection's id (the resourceId in its page's address), not its name.",
        );
    }
    const tokenKey = accessTokenKey(s);
    if (!tokenKey) {
        throw new SettingsError(
            `Missing provider setting: ${because}, but ${describeSetting(specFor("adoSystemAccessToken", s.namespace))} is not ` +
                "set: Azure Pipelines gives a step the job's access token only when asked. Fix: map it in the pipeline " +
                `YAML, in the \`env:\` of the step that runs pulumi: \`${ACCESS_TOKEN_MAPPING}\`.`,
            [specFor("adoSystemAccessToken", s.namespace).configKey],
        );
    }
    const missingIds = (["tenantId", "clientId"] as const).filter((k) => !s[k]);
    if (missingIds.length > 0) {
        throw SettingsError.missing(
            missingIds.map((k) => specFor(k, s.namespace)),
            `${because} (the service connection's tenant and app; an AzureCLI@2 step sets them)`,
        );
    }
    if (!env[OIDC_REQUEST_URI_ENV]?.trim()) {
        throw new SettingsError(
            `${because}, but ${OIDC_REQUEST_URI_ENV} is not set: it is where the ID token is asked for, and Azure ` +
                "Pipelines sets it in every job. Fix: run pulumi in an Azure Pipelines job (elsewhere, unset " +
                `${describeSetting(specFor("adoServiceConnectionId", s.namespace))}).`,
            [specFor("adoServiceConnectionId", s.namespace).configKey],
        );
    }
    return {
        tenantId: s.tenantId!,
        clientId: s.clientId!,
        serviceConnectionId,
        systemAccessToken: s[tokenKey]!,
    };
}

/**
 * The library's error when Azure DevOps refuses the ID-token request names only the HTTP status; add what to check.
 * Entra's own refusals (AADSTS...) come from its ClientAssertionCredential and pass unchanged.
 */
function withFix(credential: TokenCredential, serviceConnectionId: string, namespace?: string): TokenCredential {
    return {
        getToken: async (scopes, options) => {
            try {
                return await credential.getToken(scopes, options);
            } catch (err) {
                if (err instanceof Error && err.message.startsWith("AzurePipelinesCredential: Authentication Failed")) {
                    err.message =
                        `Azure DevOps did not issue an ID token for service connection ${serviceConnectionId} ` +
                        `(${describeSetting(specFor("adoServiceConnectionId", namespace))}). Check that the step maps ` +
                        `\`${ACCESS_TOKEN_MAPPING}\`, that this pipeline may use the service connection (Project ` +
                        "settings > Service connections > the connection > Security), and that the id is that " +
                        `connection's. ${err.message}`;
                }
                throw err;
            }
        },
    };
}

/** AzurePipelinesCredential, renewable like the other confidential-client credentials (renewable-credential.ts). */
export function azurePipelinesCredential(
    s: ProviderSettings,
    /** credentialOptions(): the authority, and the runtime's HTTP client (proxies) for Entra and the ID-token call. */
    options: ReturnType<typeof credentialOptions>,
    env: NodeJS.ProcessEnv = process.env,
): TokenCredential {
    const p = azurePipelinesPieces(s, env);
    return new RenewableCredential(() =>
        withFix(
            new AzurePipelinesCredential(p.tenantId, p.clientId, p.serviceConnectionId, p.systemAccessToken, options),
            p.serviceConnectionId,
            s.namespace,
        ),
    );
}
