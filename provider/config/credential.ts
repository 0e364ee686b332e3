// Picks and builds the @azure/identity credential for the provider's settings.
// Which kind: credential-precedence.ts (stack config beats the environment; then client secret, client certificate,
// OIDC (token, token file, else an Azure DevOps service connection, else the runner's request URL), Azure CLI,
// managed identity; DefaultAzureCredential when nothing is configured).

import * as fs from "node:fs";
import {
    AzureCliCredential,
    ClientAssertionCredential,
    ClientCertificateCredential,
    ClientSecretCredential,
    DefaultAzureCredential,
    ManagedIdentityCredential,
    type TokenCredential,
    type TokenCredentialOptions,
} from "@azure/identity";
import type { Redactor } from "../util/redact";
import { azurePipelinesCredential, usesAzurePipelines } from "./azure-pipelines";
import { clientCertificateConfig } from "./client-certificate";
import { shouldDisableInstanceDiscovery } from "./clouds";
import { chooseCredential } from "./credential-precedence";
import { oidcRequestTokenSource } from "./oidc-request";
import { RenewableCredential } from "./renewable-credential";
import { SettingsError } from "./settings-error";
import { specFor, type SettingKey } from "./settings-table";
import { settingSource, type ProviderSettings } from "./settings";

export { tokenScope } from "./settings";
export { shouldDisableInstanceDiscovery } from "./clouds";

export type CredentialKind =
    | "clientSecret"
    | "clientCertificate"
    | "workloadIdentity"
    | "azurePipelines"
    | "azureCli"
    | "managedIdentity"
    | "default";

export interface CreatedCredential {
    credential: TokenCredential;
    kind: CredentialKind;
}

/**
 * Which credential the settings select, without building it (pure; used by createCredential and tests): stack config
 * beats the environment, then the order of CREDENTIAL_PRECEDENCE (credential-precedence.ts).
 */
export function credentialKind(s: ProviderSettings): CredentialKind {
    const kind = chooseCredential(s).kind;
    // useOidc selects federation; an Azure DevOps service connection says where its tokens come from.
    return kind === "workloadIdentity" && usesAzurePipelines(s) ? "azurePipelines" : kind;
}

/** Options every MSAL-based credential gets: the cloud's authority, and no instance discovery off Entra. */
export function authorityOptions(s: Pick<ProviderSettings, "authorityHost">): {
    authorityHost: string;
    disableInstanceDiscovery: boolean;
} {
    return {
        authorityHost: s.authorityHost,
        disableInstanceDiscovery: shouldDisableInstanceDiscovery(s.authorityHost),
    };
}

/** @azure/core-rest-pipeline's HttpClient, as @azure/identity's options name it. */
type HttpClient = NonNullable<TokenCredentialOptions["httpClient"]>;

/** How credentials send their requests: the runtime's proxy-routed client (net/outbound.ts). */
export interface CredentialTransport {
    httpClient: HttpClient;
    fetch: typeof fetch;
}

/**
 * Options every @azure/identity credential that sends HTTP gets: the authority (authorityOptions) and our httpClient,
 * so identity sends through our proxy decision and its own reading of HTTPS_PROXY/NO_PROXY never applies.
 */
export function credentialOptions(
    s: Pick<ProviderSettings, "authorityHost">,
    transport?: CredentialTransport,
): ReturnType<typeof authorityOptions> & { httpClient?: HttpClient } {
    return { ...authorityOptions(s), ...(transport ? { httpClient: transport.httpClient } : {}) };
}

function requireSettings(s: ProviderSettings, keys: SettingKey[], because: string): void {
    const missing = keys.filter((k) => !s[k]);
    if (missing.length > 0)
        throw SettingsError.missing(
            missing.map((k) => specFor(k, s.namespace)),
            because,
        );
}

/** Reads the federated token file at each token request: GitHub Actions and AKS rotate it. */
function readTokenFile(path: string, redactor?: Redactor): string {
    let token: string;
    try {
        token = fs.readFileSync(path, "utf8").trim();
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        throw new Error(
            `Cannot read the federated token file ${path} (${specFor("oidcTokenFilePath").configKey}): ${code}.`,
        );
    }
    if (!token) throw new Error(`The federated token file ${path} is empty.`);
    redactor?.register(token);
    return token;
}

/** The client assertion for OIDC: the token file, read again at every call, else the literal token. */
export function federatedTokenSource(
    s: Pick<ProviderSettings, "oidcToken" | "oidcTokenFilePath">,
    redactor?: Redactor,
): () => Promise<string> {
    const file = s.oidcTokenFilePath;
    const literal = s.oidcToken;
    return async () => (file ? readTokenFile(file, redactor) : (literal ?? ""));
}

/**
 * Where OIDC's client assertion comes from. A token or token file the user gave wins over the runner's request URL:
 * GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL in every job with `id-token: write`, so it is ambient, the others deliberate.
 */
export function federatedAssertionSource(
    s: Pick<
        ProviderSettings,
        "oidcToken" | "oidcTokenFilePath" | "oidcRequestUrl" | "oidcRequestToken" | "oidcAudience"
    >,
    redactor?: Redactor,
    fetchFn?: typeof fetch,
): () => Promise<string> {
    if (s.oidcToken || s.oidcTokenFilePath) return federatedTokenSource(s, redactor);
    if (s.oidcRequestUrl && s.oidcRequestToken) {
        return oidcRequestTokenSource(
            { url: s.oidcRequestUrl, token: s.oidcRequestToken, audience: s.oidcAudience },
            redactor,
            fetchFn,
        );
    }
    if (s.oidcRequestUrl || s.oidcRequestToken) {
        throw SettingsError.missing(
            [specFor(s.oidcRequestUrl ? "oidcRequestToken" : "oidcRequestUrl")],
            "OIDC (useOidc) asks a runner for ID tokens with both a request URL and a request token",
        );
    }
    throw SettingsError.missing(
        [specFor("oidcTokenFilePath"), specFor("oidcToken"), specFor("oidcRequestUrl")],
        "OIDC (useOidc) is enabled and needs a federated token (a token file, the token itself, or a runner's request URL " +
            "and token: in GitHub Actions, grant `permissions: id-token: write`)",
    );
}

/**
 * Builds the credential. Missing pieces (e.g. a client secret without tenantId/clientId) throw SettingsError
 * naming what is missing. The token a federated token file holds is registered with `redactor` as it is read (the
 * runtime registers the settings' own secrets).
 */
export function createCredential(
    s: ProviderSettings,
    redactor?: Redactor,
    transport?: CredentialTransport,
): CreatedCredential {
    const kind = credentialKind(s);
    const authority = credentialOptions(s, transport);

    switch (kind) {
        case "clientSecret": {
            requireSettings(s, ["tenantId", "clientId"], "a client secret is set");
            const { tenantId, clientId, clientSecret } = s as Required<ProviderSettings>;
            return {
                kind,
                credential: new RenewableCredential(
                    () => new ClientSecretCredential(tenantId, clientId, clientSecret, authority),
                ),
            };
        }
        case "clientCertificate": {
            requireSettings(s, ["tenantId", "clientId"], "a client certificate path is set");
            const { tenantId, clientId, clientCertificatePath } = s as Required<ProviderSettings>;
            // PKCS#12 is converted here, once: a wrong password fails now, and renewals reuse the PEM in memory.
            const config = clientCertificateConfig(
                { clientCertificatePath, clientCertificatePassword: s.clientCertificatePassword },
                (k) => settingSource(s, k),
                redactor,
            );
            return {
                kind,
                // Two branches for the constructor's two overloads (a PEM string, a PEM file's path).
                credential: new RenewableCredential(() =>
                    "certificate" in config
                        ? new ClientCertificateCredential(tenantId, clientId, config, authority)
                        : new ClientCertificateCredential(tenantId, clientId, config, authority),
                ),
            };
        }
        case "workloadIdentity": {
            requireSettings(s, ["tenantId", "clientId"], "OIDC (useOidc) is enabled");
            const { tenantId, clientId } = s as Required<ProviderSettings>;
            // ClientAssertionCredential rather than WorkloadIdentityCredential: it covers a literal token, a file and
            // a runner's endpoint, and our callback gets a fresh token on every token request (WorkloadIdentityCredential
            // keeps a file's content for up to 5 minutes).
            const getAssertion = federatedAssertionSource(s, redactor, transport?.fetch);
            return {
                kind,
                credential: new RenewableCredential(
                    () => new ClientAssertionCredential(tenantId, clientId, getAssertion, authority),
                ),
            };
        }
        case "azurePipelines":
            return { kind, credential: azurePipelinesCredential(s, authority) };
        case "azureCli":
            // The CLI keeps its own token cache; each getToken runs `az account get-access-token`, so nothing to renew.
            return { kind, credential: new AzureCliCredential(s.tenantId ? { tenantId: s.tenantId } : {}) };
        case "managedIdentity":
            // MSAL's managed-identity cache is process-wide (static), so a RenewableCredential would not help.
            return {
                kind,
                credential: new ManagedIdentityCredential({
                    ...(s.clientId ? { clientId: s.clientId } : {}),
                    ...(transport ? { httpClient: transport.httpClient } : {}),
                }),
            };
        default:
            return {
                kind,
                credential: new RenewableCredential(
                    () =>
                        new DefaultAzureCredential({
                            ...authority,
                            ...(s.tenantId ? { tenantId: s.tenantId } : {}),
                            ...(s.clientId ? { managedIdentityClientId: s.clientId } : {}),
                        }),
                ),
            };
    }
}
