// Which credential kind the settings select, as data. Explicit stack config beats the ambient environment: a CI
// runner or a developer's shell often carries an AZURE_CLIENT_SECRET or ARM_USE_MSI meant for another tool, and it
// must not silently override `cloudpc:useOidc: true` written in the stack. Within one tier the order is the one
// azuread and Terraform use: secret, certificate, OIDC, CLI, managed identity.
import type { CredentialKind } from "./credential";
import { settingSource, type ProviderSettings } from "./settings";
import { specFor, type SettingKey } from "./settings-table";

export interface CredentialRule {
    kind: CredentialKind;
    /** How the log and the README name the kind. */
    label: string;
    /** The setting that selects the kind: a non-empty string, or `true` for a boolean. */
    selector: SettingKey;
    /** Settings only this kind reads: not used, and reported, when another kind wins. */
    own: readonly SettingKey[];
    /** Settings it reads that other kinds read too; they may come from either tier. */
    shared: readonly SettingKey[];
}

/** The order within a tier. DefaultAzureCredential comes after every row, when nothing selects a kind. */
export const CREDENTIAL_PRECEDENCE: readonly CredentialRule[] = Object.freeze([
    {
        kind: "clientSecret",
        label: "a client secret",
        selector: "clientSecret",
        own: ["clientSecret"],
        shared: ["tenantId", "clientId"],
    },
    {
        kind: "clientCertificate",
        label: "a client certificate",
        selector: "clientCertificatePath",
        own: ["clientCertificatePath", "clientCertificatePassword"],
        shared: ["tenantId", "clientId"],
    },
    {
        kind: "workloadIdentity",
        label: "workload identity federation (OIDC)",
        selector: "useOidc",
        own: [
            "useOidc",
            "oidcToken",
            "oidcTokenFilePath",
            "oidcRequestUrl",
            "oidcRequestToken",
            "oidcAudience",
            "adoServiceConnectionId",
            "adoSystemAccessToken",
        ],
        shared: ["tenantId", "clientId"],
    },
    { kind: "azureCli", label: "the Azure CLI's account", selector: "useCli", own: ["useCli"], shared: ["tenantId"] },
    {
        kind: "managedIdentity",
        label: "a managed identity",
        selector: "useMsi",
        own: ["useMsi"],
        shared: ["clientId"],
    },
] satisfies CredentialRule[]);

export const DEFAULT_CREDENTIAL_LABEL = "DefaultAzureCredential (no sign-in setting found)";

/** Kinds no row selects by itself: useOidc with an Azure DevOps service connection (credential.ts picks it). */
const REFINED_LABELS: Partial<Record<CredentialKind, string>> = {
    azurePipelines: "an Azure DevOps service connection (workload identity federation)",
};

export type Tier = "stack config" | "environment";

export interface IgnoredSetting {
    key: SettingKey;
    /** Where it came from ("env AZURE_CLIENT_SECRET"); never its value. */
    source: string;
    /** Why it is not used, e.g. "stack config cloudpc:useOidc selects workload identity federation (OIDC)". */
    reason: string;
}

export interface CredentialChoice {
    kind: CredentialKind;
    /** The tier of the selecting setting; undefined for DefaultAzureCredential. */
    tier?: Tier;
    /** Settings of other kinds that were set but are not used, with why. */
    ignored: IgnoredSetting[];
}

/** Where a setting came from; settings built without resolveSettings (tests, callers) count as explicit. */
type SourceOf = (key: SettingKey) => string | undefined;

/** "stack config cloudpc:x" and "stack config azuread:x" are explicit; "env X" is ambient. */
export function tierOfSource(source: string | undefined): Tier {
    return source === undefined || source.startsWith("stack config ") ? "stack config" : "environment";
}

function isSet(s: ProviderSettings, key: SettingKey): boolean {
    const v = s[key];
    return typeof v === "string" ? v !== "" : v === true;
}

/**
 * Picks the kind: the first row selected in stack config, else the first selected in the environment, else
 * DefaultAzureCredential. An explicit `false` in stack config already wins over the environment when the settings
 * are resolved, so such a row never selects.
 */
export function chooseCredential(
    s: ProviderSettings,
    sourceOf: SourceOf = (k) => settingSource(s, k),
): CredentialChoice {
    const tierOf = (key: SettingKey): Tier => tierOfSource(sourceOf(key));
    const selected = CREDENTIAL_PRECEDENCE.filter((r) => isSet(s, r.selector));
    const winner = selected.find((r) => tierOf(r.selector) === "stack config") ?? selected[0];
    const ignored: IgnoredSetting[] = [];
    const where = (key: SettingKey): string => sourceOf(key) ?? "the settings";

    for (const rule of selected) {
        if (rule === winner || !winner) continue;
        const reason =
            tierOf(winner.selector) === "stack config" && tierOf(rule.selector) === "environment"
                ? `${where(winner.selector)} selects ${winner.label}, and stack config beats the environment`
                : `${winner.label} (${where(winner.selector)}) comes first in the precedence`;
        for (const key of rule.own) {
            // A default (oidcAudience's) was not set by anyone: nothing to report.
            if (isSet(s, key) && (sourceOf(key) !== undefined || sourceOf(rule.selector) === undefined)) {
                ignored.push({ key, source: where(key), reason });
            }
        }
    }
    // A kind switched off in stack config (cloudpc:useOidc=false) while the environment offers its pieces, e.g. a
    // platform's AZURE_FEDERATED_TOKEN_FILE: say those pieces are not used, so the choice is not a mystery.
    for (const rule of CREDENTIAL_PRECEDENCE) {
        if (s[rule.selector] !== false || tierOf(rule.selector) !== "stack config" || !sourceOf(rule.selector))
            continue;
        for (const key of rule.own) {
            if (key !== rule.selector && isSet(s, key) && tierOf(key) === "environment") {
                ignored.push({ key, source: where(key), reason: `${where(rule.selector)} is false` });
            }
        }
    }
    return winner ? { kind: winner.kind, tier: tierOf(winner.selector), ignored } : { kind: "default", ignored };
}

/** The label of a kind, for the log line. */
export function credentialLabel(kind: CredentialKind): string {
    return (
        CREDENTIAL_PRECEDENCE.find((r) => r.kind === kind)?.label ?? REFINED_LABELS[kind] ?? DEFAULT_CREDENTIAL_LABEL
    );
}

/** The precedence as a Markdown table, for the README (test/unit/docs.test.ts checks they agree). */
export function credentialPrecedenceMarkdown(): string {
    const key = (k: SettingKey): string => `\`${specFor(k).configKey}\``;
    const rows = CREDENTIAL_PRECEDENCE.map((r, i) => {
        const spec = specFor(r.selector);
        const isTrue = spec.type === "boolean" ? " = true" : "";
        const env = spec.env.map((e) => `\`${e}\`${isTrue}`).join(", ");
        const reads = [...r.own.filter((k) => k !== r.selector), ...r.shared].map(key).join(", ");
        return `| ${i + 1} | ${r.label} | ${key(r.selector)}${isTrue} | ${env} | ${reads} |`;
    });
    return [
        "| order | credential | selected in stack config by | or in the environment by | also reads |",
        "|---|---|---|---|---|",
        ...rows,
        `| ${rows.length + 1} | ${DEFAULT_CREDENTIAL_LABEL} | nothing above | nothing above | ${key("tenantId")}, ${key("clientId")} |`,
    ].join("\n");
}
