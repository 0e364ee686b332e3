// Resolves the provider's settings: stack config (namespace `cloudpc`; with no `cloudpc:*` key at all, the azuread
// provider's keys: stack-config.ts) first, then the environment, then defaults from the national cloud. Every rule
// about names and fallbacks comes from SETTINGS_TABLE; which credential they select, credential-precedence.ts.

import { checkOrigin } from "../util/origin";
import { CLOUD_NAMES, CLOUDS, cloudFromName, type CloudName } from "./clouds";
import { SettingsError } from "./settings-error";
import { CONFIG_NAMESPACE, specFor, specIn, type SettingKey, type SettingSpec } from "./settings-table";
import { STORAGE_ENDPOINTS } from "../preflight/storage-endpoint";
import { nonEmpty, stackConfigReader } from "./stack-config";

type StackConfigReader = ReturnType<typeof stackConfigReader>;

export { SettingsError } from "./settings-error";
export {
    SETTINGS_TABLE,
    CONFIG_NAMESPACE,
    settingsTableMarkdown,
    type SettingSpec,
    type SettingKey,
} from "./settings-table";
export type { CloudName } from "./clouds";

export interface ProviderSettings {
    tenantId?: string;
    clientId?: string;
    clientSecret?: string;
    clientCertificatePath?: string;
    clientCertificatePassword?: string;
    useOidc: boolean;
    oidcToken?: string;
    oidcTokenFilePath?: string;
    /** GitHub Actions' ID-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) and its bearer token (a secret). */
    oidcRequestUrl?: string;
    oidcRequestToken?: string;
    /** Audience asked of oidcRequestUrl (default api://AzureADTokenExchange). */
    oidcAudience: string;
    /** Azure DevOps workload identity: the service connection's id and the job's System.AccessToken (a secret). */
    adoServiceConnectionId?: string;
    adoSystemAccessToken?: string;
    useCli: boolean;
    useMsi: boolean;
    environment: CloudName;
    /** Origin only (https://host[:port]); the Graph client adds /beta. */
    graphEndpoint: string;
    /** Origin of the Entra authority. */
    authorityHost: string;
    allowInsecureLoopback?: boolean;
    /** First interval while waiting for an import or a snapshot, in seconds (fractions allowed; default 2). */
    pollIntervalSeconds: number;
    /** A 404 from a proven import-result function counts as "gone" (default false: it proves nothing). */
    notFoundMeansGone?: boolean;
    /** Directory of the pending-import notes (relative: to the project directory); undefined: under $XDG_STATE_HOME. */
    pendingImportsDir?: string;
    /**
     * The stack config namespace a resource's `settings` input named (e.g. "tenantB" for `tenantB:*`); undefined for
     * the default (`cloudpc:*`, then the environment).
     */
    namespace?: string;
    /** Blob endpoint template for the replacement preflight (`{account}` = the storage account's name). */
    storageEndpoint: string;
    /** Refuse replacements whose new source the preflight could not verify (default false: warn). */
    verifiedReplacementsOnly?: boolean;
}

/** What `configure(req)` hands us (`req.config`), or anything with the same `get`. */
export interface ConfigSource {
    get(key: string): string | undefined;
}

interface Found {
    value: string;
    /** "stack config cloudpc:x", "stack config azuread:x" or "env X", for error messages. */
    source: string;
    /** The setting as it was read (named `<ns>:x` in a settings namespace), for error messages. */
    spec: SettingSpec;
}

/** Options of resolveSettings. */
export interface ResolveOptions {
    /** A resource's `settings` input: read stack config `<namespace>:*` (SettingSpec.signIn says what falls back). */
    namespace?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT =
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/i;

function lookup(
    spec: SettingSpec,
    stack: StackConfigReader,
    env: NodeJS.ProcessEnv,
    config: ConfigSource | undefined,
    namespace?: string,
): Found | undefined {
    const named = specIn(spec, namespace);
    if (named !== spec) {
        const own = nonEmpty(config?.get(named.configKey));
        if (own !== undefined) return { value: own, source: `stack config ${named.configKey}`, spec: named };
        // Another tenant's sign-in never comes from the default's (cloudpc:*, azuread:* or the environment).
        if (spec.signIn) return undefined;
    }
    const fromConfig = stack(spec);
    if (fromConfig) return { value: fromConfig.value, source: `stack config ${fromConfig.configKey}`, spec: named };
    for (const name of spec.env) {
        const v = nonEmpty(env[name]);
        if (v !== undefined) return { value: v, source: `env ${name}`, spec: named };
    }
    return undefined;
}

function parseBoolean(found: Found): boolean {
    const v = found.value.trim().toLowerCase();
    if (v === "true" || v === "1" || v === "yes") return true;
    if (v === "false" || v === "0" || v === "no") return false;
    throw SettingsError.invalid(found.spec, found.value, found.source, "is not a boolean", `use "true" or "false".`);
}

/** Where each setting of a resolved settings object came from ("stack config cloudpc:x", "env X"); absent: default. */
const SOURCES = new WeakMap<ProviderSettings, Partial<Record<SettingKey, string>>>();

/** Where `key` of settings made by resolveSettings came from; undefined for a default (or settings made otherwise). */
export function settingSource(s: ProviderSettings, key: SettingKey): string | undefined {
    return SOURCES.get(s)?.[key];
}

/**
 * Resolves and validates every setting. Throws SettingsError naming the key, its env fallbacks, the bad value
 * (never a secret) and the fix.
 */
export function resolveSettings(
    config: ConfigSource | undefined,
    env: NodeJS.ProcessEnv,
    options: ResolveOptions = {},
): ProviderSettings {
    const namespace = options.namespace === CONFIG_NAMESPACE ? undefined : options.namespace;
    const sources: Partial<Record<SettingKey, string>> = {};
    const stack = stackConfigReader(config);
    const get = (key: SettingKey): Found | undefined => {
        const found = lookup(specFor(key), stack, env, config, namespace);
        if (found) sources[key] = found.source;
        return found;
    };
    const str = (key: SettingKey): string | undefined => get(key)?.value;
    const bool = (key: SettingKey, fallback: boolean): boolean => {
        const found = get(key);
        return found ? parseBoolean(found) : fallback;
    };

    const tenant = get("tenantId");
    if (tenant && !TENANT.test(tenant.value)) {
        throw SettingsError.invalid(
            tenant.spec,
            tenant.value,
            tenant.source,
            "is neither a GUID nor a domain name",
            "give the directory (tenant) id GUID or its primary domain, e.g. contoso.onmicrosoft.com.",
        );
    }
    const client = get("clientId");
    if (client && !GUID.test(client.value)) {
        throw SettingsError.invalid(
            client.spec,
            client.value,
            client.source,
            "is not a GUID",
            "give the application (client) id GUID from the app registration's overview page.",
        );
    }

    const cloudFound = get("environment");
    let environment: CloudName = "public";
    if (cloudFound) {
        const cloud = cloudFromName(cloudFound.value);
        if (!cloud) {
            throw SettingsError.invalid(
                cloudFound.spec,
                cloudFound.value,
                cloudFound.source,
                "is not a known cloud",
                `use one of ${CLOUD_NAMES.join(", ")} (aliases such as AzurePublicCloud, AzureUSGovernment, AzureChinaCloud are accepted).`,
            );
        }
        environment = cloud;
    }
    const allowInsecureLoopback = bool("allowInsecureLoopback", false);

    const graphEndpoint = resolveOrigin(
        "graphEndpoint",
        get("graphEndpoint"),
        CLOUDS[environment].graphEndpoint,
        allowInsecureLoopback,
    );
    const authorityHost = resolveOrigin(
        "authorityHost",
        get("authorityHost"),
        CLOUDS[environment].authorityHost,
        allowInsecureLoopback,
    );

    // A federated token file set by the platform (AKS workload identity) means "use OIDC" unless config says otherwise.
    const useOidc = bool("useOidc", namespace === undefined && nonEmpty(env.AZURE_FEDERATED_TOKEN_FILE) !== undefined);

    const settings: ProviderSettings = {
        tenantId: tenant?.value,
        clientId: client?.value,
        clientSecret: str("clientSecret"),
        clientCertificatePath: str("clientCertificatePath"),
        clientCertificatePassword: str("clientCertificatePassword"),
        useOidc,
        oidcToken: str("oidcToken"),
        oidcTokenFilePath: str("oidcTokenFilePath"),
        oidcRequestUrl: resolveRequestUrl(get("oidcRequestUrl"), allowInsecureLoopback),
        oidcRequestToken: str("oidcRequestToken"),
        oidcAudience: str("oidcAudience") ?? DEFAULT_OIDC_AUDIENCE,
        adoServiceConnectionId: str("adoServiceConnectionId"),
        adoSystemAccessToken: str("adoSystemAccessToken"),
        useCli: bool("useCli", false),
        useMsi: bool("useMsi", false),
        environment,
        graphEndpoint,
        authorityHost,
        allowInsecureLoopback,
        pollIntervalSeconds: positiveNumber(get("pollIntervalSeconds"), 2),
        notFoundMeansGone: bool("notFoundMeansGone", false),
        pendingImportsDir: str("pendingImportsDir"),
        storageEndpoint: resolveStorageEndpoint(
            get("storageEndpoint"),
            STORAGE_ENDPOINTS[environment],
            allowInsecureLoopback,
        ),
        verifiedReplacementsOnly: bool("verifiedReplacementsOnly", false),
        ...(namespace !== undefined ? { namespace } : {}),
    };
    if (!sources.useOidc && useOidc) sources.useOidc = "env AZURE_FEDERATED_TOKEN_FILE";
    SOURCES.set(settings, sources);
    return settings;
}

/** The audience GitHub's docs and Entra's federated credentials use by default. */
export const DEFAULT_OIDC_AUDIENCE = "api://AzureADTokenExchange";

/** https:// (http:// to a loopback host with allowInsecureLoopback): the request carries a bearer token. */
function resolveRequestUrl(found: Found | undefined, allowInsecureLoopback: boolean): string | undefined {
    if (!found) return undefined;
    let url: URL;
    try {
        url = new URL(found.value);
    } catch {
        throw SettingsError.invalid(
            found.spec,
            found.value,
            found.source,
            "is not a URL",
            "give the URL the CI system provides (GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL).",
        );
    }
    const check = checkOrigin(url.origin, allowInsecureLoopback);
    if (!check.ok) {
        throw SettingsError.invalid(
            found.spec,
            found.value,
            found.source,
            check.reason,
            "use https:// (for a local stand-in on a loopback host, set cloudpc:allowInsecureLoopback=true).",
        );
    }
    return url.toString();
}

function positiveNumber(found: Found | undefined, fallback: number): number {
    if (!found) return fallback;
    const n = Number(found.value);
    if (Number.isFinite(n) && n > 0) return n;
    throw SettingsError.invalid(
        found.spec,
        found.value,
        found.source,
        "is not a positive number",
        "give a number of seconds, such as 2 or 0.5.",
    );
}

function resolveOrigin(
    key: "graphEndpoint" | "authorityHost",
    found: Found | undefined,
    fallback: string,
    allowInsecureLoopback: boolean,
): string {
    if (!found) return fallback;
    const check = checkOrigin(found.value, allowInsecureLoopback);
    if (check.ok) return check.origin;
    const example = key === "graphEndpoint" ? "https://graph.microsoft.com" : "https://login.microsoftonline.com";
    let fix = `give the origin only, like ${example}`;
    if (/beta|v1\.0/i.test(check.reason))
        fix = `drop the version path: give ${stripPath(found.value)} — the client adds /beta itself.`;
    else if (/http:/.test(check.reason))
        fix = `use https://, or for a local emulator on a loopback host set cloudpc:allowInsecureLoopback=true.`;
    throw SettingsError.invalid(found.spec, found.value, found.source, check.reason, fix);
}

function resolveStorageEndpoint(found: Found | undefined, fallback: string, allowInsecureLoopback: boolean): string {
    if (!found) return fallback;
    const check = checkOrigin(
        new URL("/", found.value.replace(/\{account\}/g, "account")).origin,
        allowInsecureLoopback,
    );
    if (!check.ok) {
        throw SettingsError.invalid(
            found.spec,
            found.value,
            found.source,
            check.reason,
            "give an https URL such as https://{account}.blob.core.windows.net, or https://127.0.0.1:10000/{account} for Azurite.",
        );
    }
    return found.value.replace(/\/+$/, "");
}

function stripPath(value: string): string {
    try {
        return new URL(value.trim()).origin;
    } catch {
        return "the origin";
    }
}

/** The Graph token scope for these settings: `<graphEndpoint>/.default`. */
export function tokenScope(s: Pick<ProviderSettings, "graphEndpoint">): string {
    return `${s.graphEndpoint}/.default`;
}

/** The settings without secrets (for logs and diagnostics). Secret fields become "<set>" when present. */
export function publicSettings(s: ProviderSettings): Record<string, string | boolean | undefined> {
    return {
        tenantId: s.tenantId,
        clientId: s.clientId,
        clientSecret: s.clientSecret ? "<set>" : undefined,
        clientCertificatePath: s.clientCertificatePath,
        clientCertificatePassword: s.clientCertificatePassword ? "<set>" : undefined,
        useOidc: s.useOidc,
        oidcToken: s.oidcToken ? "<set>" : undefined,
        oidcTokenFilePath: s.oidcTokenFilePath,
        oidcRequestUrl: s.oidcRequestUrl,
        oidcRequestToken: s.oidcRequestToken ? "<set>" : undefined,
        oidcAudience: s.oidcAudience,
        adoServiceConnectionId: s.adoServiceConnectionId,
        adoSystemAccessToken: s.adoSystemAccessToken ? "<set>" : undefined,
        useCli: s.useCli,
        useMsi: s.useMsi,
        environment: s.environment,
        graphEndpoint: s.graphEndpoint,
        authorityHost: s.authorityHost,
        allowInsecureLoopback: s.allowInsecureLoopback ?? false,
        pollIntervalSeconds: String(s.pollIntervalSeconds),
        notFoundMeansGone: s.notFoundMeansGone ?? false,
        storageEndpoint: s.storageEndpoint,
        verifiedReplacementsOnly: s.verifiedReplacementsOnly ?? false,
        namespace: s.namespace,
    };
}
