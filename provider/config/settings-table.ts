// The provider's settings: one row per setting, read by resolveSettings and mirrored in the README.
// Keep this table the single source of truth: names, env fallbacks, defaults and descriptions live only here.

export const CONFIG_NAMESPACE = "cloudpc";

export type SettingKey =
    | "tenantId"
    | "clientId"
    | "clientSecret"
    | "clientCertificatePath"
    | "clientCertificatePassword"
    | "useOidc"
    | "oidcToken"
    | "oidcTokenFilePath"
    | "oidcRequestUrl"
    | "oidcRequestToken"
    | "oidcAudience"
    | "adoServiceConnectionId"
    | "adoSystemAccessToken"
    | "useCli"
    | "useMsi"
    | "environment"
    | "graphEndpoint"
    | "authorityHost"
    | "allowInsecureLoopback"
    | "pollIntervalSeconds"
    | "notFoundMeansGone"
    | "pendingImportsDir"
    | "storageEndpoint"
    | "verifiedReplacementsOnly";

/**
 * Sign-in settings: for a resource with `settings: "<ns>"` they come only from stack config `<ns>:*` (never from
 * `cloudpc:*` or the environment, which belong to the default tenant). Every other setting not set in `<ns>:*` is
 * looked up as for the default (`cloudpc:*`, then the environment). A new credential row belongs here.
 */
const SIGN_IN_KEYS: ReadonlySet<SettingKey> = new Set<SettingKey>([
    "tenantId",
    "clientId",
    "clientSecret",
    "clientCertificatePath",
    "clientCertificatePassword",
    "useOidc",
    "oidcToken",
    "oidcTokenFilePath",
    "oidcRequestUrl",
    "oidcRequestToken",
    "oidcAudience",
    "adoServiceConnectionId",
    "adoSystemAccessToken",
    "useCli",
    "useMsi",
]);

export type SettingType = "string" | "boolean" | "number" | "cloud" | "origin" | "url" | "path" | "guid" | "tenant";

export interface SettingSpec {
    key: SettingKey;
    /** Stack config key, e.g. `cloudpc:tenantId`. */
    configKey: string;
    /** Environment fallbacks, in order. */
    env: readonly string[];
    /** Default as documented (human-readable). */
    default: string;
    /** Never printed, logged or put in error messages. */
    secret: boolean;
    /** In a named settings namespace, read only from `<ns>:<key>` (SIGN_IN_KEYS); else it falls back to the default. */
    signIn: boolean;
    type: SettingType;
    description: string;
}

function row(
    key: SettingKey,
    type: SettingType,
    env: string[],
    def: string,
    secret: boolean,
    description: string,
): SettingSpec {
    return Object.freeze({
        key,
        configKey: `${CONFIG_NAMESPACE}:${key}`,
        env: Object.freeze(env),
        default: def,
        secret,
        signIn: SIGN_IN_KEYS.has(key),
        type,
        description,
    });
}

export const SETTINGS_TABLE: readonly SettingSpec[] = Object.freeze([
    row(
        "tenantId",
        "tenant",
        ["AZURE_TENANT_ID", "ARM_TENANT_ID", "AZURESUBSCRIPTION_TENANT_ID"],
        "none",
        false,
        "Entra tenant (GUID or domain) of the app registration.",
    ),
    row(
        "clientId",
        "guid",
        ["AZURE_CLIENT_ID", "ARM_CLIENT_ID", "AZURESUBSCRIPTION_CLIENT_ID"],
        "none",
        false,
        "Application (client) id; with useMsi, the client id of a user-assigned managed identity.",
    ),
    row(
        "clientSecret",
        "string",
        ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"],
        "none",
        true,
        "Client secret of the app registration (use `pulumi config set --secret`).",
    ),
    row(
        "clientCertificatePath",
        "path",
        ["AZURE_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PATH"],
        "none",
        false,
        "Path to the app's certificate with its private key: a PEM file, or PKCS#12 (.pfx/.p12, told by content), converted in memory.",
    ),
    row(
        "clientCertificatePassword",
        "string",
        ["AZURE_CLIENT_CERTIFICATE_PASSWORD", "ARM_CLIENT_CERTIFICATE_PASSWORD"],
        "none",
        true,
        "Password of the PKCS#12 file or of the PEM's private key, if any.",
    ),
    row(
        "useOidc",
        "boolean",
        ["ARM_USE_OIDC"],
        "false (true when AZURE_FEDERATED_TOKEN_FILE is set)",
        false,
        "Authenticate with a federated (workload identity) token: GitHub Actions, AKS, other OIDC issuers.",
    ),
    row(
        "oidcToken",
        "string",
        ["ARM_OIDC_TOKEN"],
        "none",
        true,
        "The federated token itself (prefer oidcTokenFilePath: tokens expire and files are refreshed).",
    ),
    row(
        "oidcTokenFilePath",
        "path",
        ["AZURE_FEDERATED_TOKEN_FILE", "ARM_OIDC_TOKEN_FILE_PATH"],
        "none",
        false,
        "File holding the federated token; read again at every token request because it rotates.",
    ),
    row(
        "oidcRequestUrl",
        "url",
        ["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"],
        "none (GitHub Actions sets it)",
        false,
        "Where to ask for a fresh federated ID token at every Entra token request (GitHub Actions' runner; needs `id-token: write`). Used with useOidc when neither oidcToken nor oidcTokenFilePath is set.",
    ),
    row(
        "oidcRequestToken",
        "string",
        ["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
        "none (GitHub Actions sets it)",
        true,
        "Bearer token for oidcRequestUrl.",
    ),
    row(
        "oidcAudience",
        "string",
        ["CLOUDPC_OIDC_AUDIENCE"],
        "api://AzureADTokenExchange",
        false,
        "Audience of the ID token asked from oidcRequestUrl; must match the app's federated credential.",
    ),
    row(
        "adoServiceConnectionId",
        "guid",
        [
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        ],
        "none (the AzureCLI@2 task sets AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)",
        false,
        "Azure DevOps: id of the Azure Resource Manager service connection (workload identity federation) to sign in as. With useOidc, the provider asks Azure Pipelines (SYSTEM_OIDCREQUESTURI) for a fresh ID token of this connection at every Entra token request. Used when neither oidcToken nor oidcTokenFilePath is set.",
    ),
    row(
        "adoSystemAccessToken",
        "string",
        ["SYSTEM_ACCESSTOKEN"],
        "none (map it in the pipeline YAML: `SYSTEM_ACCESSTOKEN: $(System.AccessToken)`)",
        true,
        "Azure DevOps: the job's System.AccessToken, which authorizes the ID-token request of adoServiceConnectionId. When unset, oidcRequestToken is used (ARM_OIDC_REQUEST_TOKEN, as Terraform's azurerm reads it).",
    ),
    row("useCli", "boolean", ["ARM_USE_CLI"], "false", false, "Use the Azure CLI's signed-in account (`az login`)."),
    row(
        "useMsi",
        "boolean",
        ["ARM_USE_MSI"],
        "false",
        false,
        "Use a managed identity (system-assigned, or user-assigned when clientId is set).",
    ),
    row(
        "environment",
        "cloud",
        ["ARM_ENVIRONMENT", "AZURE_ENVIRONMENT"],
        "public",
        false,
        "National cloud: public, usgovernment, usgovernmentdod or china (aliases such as AzureUSGovernment accepted).",
    ),
    row(
        "graphEndpoint",
        "origin",
        ["CLOUDPC_GRAPH_ENDPOINT"],
        "from environment, e.g. https://graph.microsoft.com",
        false,
        "Graph origin only (https://host[:port]); the client adds /beta. Token scope is `<graphEndpoint>/.default`.",
    ),
    row(
        "authorityHost",
        "origin",
        ["CLOUDPC_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"],
        "from environment, e.g. https://login.microsoftonline.com",
        false,
        "Entra authority host. Hosts other than Entra's own get instance discovery disabled.",
    ),
    row(
        "allowInsecureLoopback",
        "boolean",
        ["CLOUDPC_ALLOW_INSECURE_LOOPBACK"],
        "false",
        false,
        "Allow plain http:// to loopback hosts only (local emulators). Never needed against Microsoft Graph.",
    ),
    row(
        "pollIntervalSeconds",
        "number",
        ["CLOUDPC_POLL_INTERVAL_SECONDS"],
        "2",
        false,
        "First interval between reads while waiting for an import or a snapshot, in seconds (fractions allowed). It grows 1.5x per read, up to 30 s (a first interval under 2 s: up to 10 times it).",
    ),
    row(
        "notFoundMeansGone",
        "boolean",
        ["CLOUDPC_NOT_FOUND_MEANS_GONE"],
        "false",
        false,
        "Let refresh drop an import when retrieveSnapshotImportResults (the read Graph's metadata declares) answers 404 for it. By default only its empty answer proves an import gone; set this where Graph answers unknown ids with 404, after checking the import really was purged.",
    ),
    row(
        "pendingImportsDir",
        "path",
        ["CLOUDPC_PENDING_IMPORTS_DIR"],
        "$XDG_STATE_HOME/cloudpc-pulumi/pending-imports (~/.local/state/...)",
        false,
        "Where the provider notes imports not yet seen in a stack's state, so a rerun after a kill adopts them. Keep it across CI runs (a cache step): README, Troubleshooting.",
    ),
    row(
        "storageEndpoint",
        "url",
        ["CLOUDPC_STORAGE_ENDPOINT"],
        "from environment, e.g. https://{account}.blob.core.windows.net",
        false,
        "Blob endpoint where the replacement preflight reads a storageBlobInfo blob, `{account}` standing for the storage account's name. For the storage emulator Azurite: https://127.0.0.1:10000/{account} (path-style).",
    ),
    row(
        "verifiedReplacementsOnly",
        "boolean",
        ["CLOUDPC_VERIFIED_REPLACEMENTS_ONLY"],
        "false",
        false,
        "Refuse a replacement that would purge a user's import unless the preflight could verify the new source (by default an unverifiable source, e.g. storage unreachable or the provider's read refused by a firewall, is a warning).",
    ),
]);

/** The row of `key`; with a namespace, as read there (specIn), so messages name the key the user must set. */
export function specFor(key: SettingKey, namespace?: string): SettingSpec {
    const spec = SETTINGS_TABLE.find((s) => s.key === key);
    if (!spec) throw new Error(`no setting ${key}`);
    return specIn(spec, namespace);
}

/**
 * The row as read for the settings namespace `namespace` (a resource's `settings` input): named `<ns>:<key>`, and a
 * sign-in row has no environment fallback there. The default namespace (undefined or `cloudpc`) is the row itself.
 */
export function specIn(spec: SettingSpec, namespace: string | undefined): SettingSpec {
    if (namespace === undefined || namespace === CONFIG_NAMESPACE) return spec;
    return { ...spec, configKey: `${namespace}:${spec.key}`, env: spec.signIn ? [] : spec.env };
}

/** "cloudpc:tenantId (env AZURE_TENANT_ID, ARM_TENANT_ID)" — how messages name a setting. */
export function describeSetting(spec: SettingSpec): string {
    return spec.env.length > 0 ? `${spec.configKey} (env ${spec.env.join(", ")})` : spec.configKey;
}

/** The table as Markdown, for the README (`npx ts-node -e` it, or a docs script). */
export function settingsTableMarkdown(): string {
    const lines = [
        '| config key | environment fallbacks | default | secret | with `settings: "<ns>"` | description |',
        "|---|---|---|---|---|---|",
    ];
    for (const s of SETTINGS_TABLE) {
        const env = s.env.map((e) => `\`${e}\``).join(", ");
        const ns = s.signIn ? `only \`<ns>:${s.key}\`` : `\`<ns>:${s.key}\`, else as above`;
        lines.push(
            `| \`${s.configKey}\` | ${env} | ${s.default} | ${s.secret ? "yes" : "no"} | ${ns} | ${s.description} |`,
        );
    }
    return lines.join("\n");
}
