// A resource's `settings` input names a stack config namespace (`settings: "tenantB"` reads `tenantB:*`) so that one
// stack can manage several tenants. The name is all the input carries: the secrets stay in the stack config. Sign-in
// settings of a named namespace come only from it (SettingSpec.signIn): borrowing the default tenant's client
// secret or the environment's would sign in to the wrong tenant without a word.
import { credentialKind, type CredentialKind } from "./credential";
import { resolveSettings, type ConfigSource, type ProviderSettings } from "./settings";
import { SettingsError } from "./settings-error";
import { CONFIG_NAMESPACE, SETTINGS_TABLE, specFor, specIn, type SettingKey } from "./settings-table";

/** A Pulumi config namespace (a project or package name): letters, digits, `-`, `_` and `.`, no `:`. */
export const NAMESPACE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The namespace of the default settings (`cloudpc:*`, then the environment); a `settings` input may name it too. */
export function isDefaultNamespace(namespace: string | undefined): boolean {
    return namespace === undefined || namespace === CONFIG_NAMESPACE;
}

/** What each credential needs besides the setting that chose it (as createCredential requires). */
const NEEDS: Record<CredentialKind, SettingKey[]> = {
    clientSecret: ["tenantId", "clientId"],
    clientCertificate: ["tenantId", "clientId"],
    workloadIdentity: ["tenantId", "clientId"],
    azurePipelines: ["tenantId", "clientId"],
    azureCli: [],
    managedIdentity: [],
    default: [],
};

function setCommand(namespace: string, key: SettingKey): string {
    const spec = specFor(key);
    return `pulumi config set${spec.secret ? " --secret" : ""} ${namespace}:${key} <${key}>`;
}

/**
 * The settings of stack config namespace `namespace` (not the default): sign-in from `<namespace>:*` only, the rest
 * falling back to the default's. Throws SettingsError naming the `<namespace>:` keys to set when it cannot sign in
 * (no sign-in setting at all would mean DefaultAzureCredential, which reads the environment: the default tenant's).
 */
export function resolveNamespaceSettings(
    config: ConfigSource | undefined,
    env: NodeJS.ProcessEnv,
    namespace: string,
): ProviderSettings {
    if (!NAMESPACE_NAME.test(namespace)) {
        throw new SettingsError(
            `The settings input must name a stack config namespace (letters, digits, -, _ and ., no ":"), such as ` +
                `"tenantB" for the keys tenantB:tenantId, tenantB:clientId, ...; it never holds a secret itself.`,
            [],
        );
    }
    const settings = resolveSettings(config, env, { namespace });
    const kind = credentialKind(settings);
    if (kind === "default") {
        const signIn = SETTINGS_TABLE.filter((s) => s.signIn).map((s) => specIn(s, namespace).configKey);
        throw new SettingsError(
            `Missing provider settings: settings "${namespace}" names the stack config namespace ${namespace}:*, which ` +
                `holds no sign-in setting (one of ${signIn.join(", ")}; the environment, ${CONFIG_NAMESPACE}:* and azuread:* ` +
                `sign in to the default tenant only). Fix: ${setCommand(namespace, "tenantId")}; ` +
                `${setCommand(namespace, "clientId")}; ${setCommand(namespace, "clientSecret")} ` +
                `(or a certificate, useOidc, useCli or useMsi under ${namespace}:).`,
            signIn,
        );
    }
    const missing = NEEDS[kind].filter((k) => !settings[k]);
    if (missing.length > 0) {
        const keys = missing.map((k) => specIn(specFor(k), namespace).configKey);
        throw new SettingsError(
            `Missing provider setting${keys.length > 1 ? "s" : ""}: settings "${namespace}" signs in with ` +
                `${kind} from ${namespace}:*, but ${keys.join(" and ")} ${keys.length > 1 ? "are" : "is"} not set ` +
                `(another tenant's sign-in never comes from ${CONFIG_NAMESPACE}:*, azuread:* or the environment). ` +
                `Fix: ${missing.map((k) => setCommand(namespace, k)).join("; ")}.`,
            keys,
        );
    }
    return settings;
}
