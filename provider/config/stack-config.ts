// Reads a setting from stack config: `cloudpc:<key>`, or, when the stack sets no `cloudpc:*` key at all, the
// pulumi-azuread provider's key of the same meaning, so a stack that already signs azuread in needs nothing new.
// Only keys whose meaning is the same are mapped (azuread's clientCertificate, a base64 bundle, has no counterpart).
import type { ConfigSource } from "./settings";
import { SETTINGS_TABLE, type SettingKey, type SettingSpec } from "./settings-table";

export const AZUREAD_NAMESPACE = "azuread";

/** Our setting -> azuread's config key (without namespace). Same names, same meaning. */
export const AZUREAD_KEYS: Readonly<Partial<Record<SettingKey, string>>> = Object.freeze({
    tenantId: "tenantId",
    clientId: "clientId",
    clientSecret: "clientSecret",
    clientCertificatePath: "clientCertificatePath",
    clientCertificatePassword: "clientCertificatePassword",
    useOidc: "useOidc",
    oidcToken: "oidcToken",
    oidcTokenFilePath: "oidcTokenFilePath",
    oidcRequestUrl: "oidcRequestUrl",
    oidcRequestToken: "oidcRequestToken",
    useMsi: "useMsi",
    useCli: "useCli",
    environment: "environment",
});

/**
 * azuread's `environment` values (global, usgovernmentl4, usgovernmentl5, china, and the older public, usgovernment,
 * dod) as our cloud names. Other values pass through to the usual check, which names the azuread key in its error.
 */
export const AZUREAD_ENVIRONMENTS: Readonly<Record<string, string>> = Object.freeze({
    global: "public",
    public: "public",
    usgovernmentl4: "usgovernment",
    usgovernment: "usgovernment",
    usgovernmentl5: "usgovernmentdod",
    dod: "usgovernmentdod",
    china: "china",
});

export interface StackConfigValue {
    value: string;
    /** The full key it was read from: "cloudpc:tenantId" or "azuread:tenantId". */
    configKey: string;
}

/** The value trimmed, or undefined when it is missing or blank (a blank setting counts as unset). */
export function nonEmpty(v: string | undefined): string | undefined {
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** A reader of stack config for one resolveSettings call; the azuread fallback is decided once, for all keys. */
export function stackConfigReader(
    config: ConfigSource | undefined,
): (spec: SettingSpec) => StackConfigValue | undefined {
    if (!config) return () => undefined;
    const anyOwn = SETTINGS_TABLE.some((spec) => nonEmpty(config.get(spec.configKey)) !== undefined);
    return (spec) => {
        const own = nonEmpty(config.get(spec.configKey));
        if (own !== undefined) return { value: own, configKey: spec.configKey };
        const alias = AZUREAD_KEYS[spec.key];
        if (anyOwn || alias === undefined) return undefined;
        const configKey = `${AZUREAD_NAMESPACE}:${alias}`;
        const value = nonEmpty(config.get(configKey));
        if (value === undefined) return undefined;
        return {
            value: spec.key === "environment" ? (AZUREAD_ENVIRONMENTS[value.toLowerCase()] ?? value) : value,
            configKey,
        };
    };
}
