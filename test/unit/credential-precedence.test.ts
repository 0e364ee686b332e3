// Which credential wins: explicit stack config beats the ambient environment, kind by kind, and the azuread
// provider's stack config keys stand in when no cloudpc:* key is set. Pure: settings only, no network.
import * as assert from "node:assert/strict";
import { ClientAssertionCredential } from "@azure/identity";
import { createCredential, credentialKind, type CredentialKind } from "../../provider/config/credential";
import { describeCredentialChoice } from "../../provider/config/credential-choice";
import { chooseCredential, CREDENTIAL_PRECEDENCE } from "../../provider/config/credential-precedence";
import { SettingsError } from "../../provider/config/settings-error";
import { resolveSettings, settingSource } from "../../provider/config/settings";
import { SETTINGS_TABLE, specFor } from "../../provider/config/settings-table";
import { AZUREAD_ENVIRONMENTS, AZUREAD_KEYS } from "../../provider/config/stack-config";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "cl1ent~secret-value-XYZ";

function config(values: Record<string, string>): { get(key: string): string | undefined } {
    return { get: (key) => values[key] };
}

/** How each kind is selected: its selector's stack config value, and an environment variable that selects it. */
type RowKind = Exclude<CredentialKind, "default" | "azurePipelines">;
const SELECT: Record<RowKind, { config: Record<string, string>; env: Record<string, string> }> = {
    clientSecret: { config: { "cloudpc:clientSecret": SECRET }, env: { AZURE_CLIENT_SECRET: SECRET } },
    clientCertificate: {
        config: { "cloudpc:clientCertificatePath": "/c.pem" },
        env: { ARM_CLIENT_CERTIFICATE_PATH: "/c.pem" },
    },
    workloadIdentity: { config: { "cloudpc:useOidc": "true" }, env: { ARM_USE_OIDC: "true" } },
    azureCli: { config: { "cloudpc:useCli": "true" }, env: { ARM_USE_CLI: "true" } },
    managedIdentity: { config: { "cloudpc:useMsi": "true" }, env: { ARM_USE_MSI: "true" } },
};
const KINDS = CREDENTIAL_PRECEDENCE.map((r) => r.kind as RowKind);

describe("credential precedence", () => {
    it("the table covers every kind but the default, once, with settings that exist", () => {
        assert.deepEqual([...KINDS].sort(), Object.keys(SELECT).sort());
        for (const rule of CREDENTIAL_PRECEDENCE) {
            for (const key of [rule.selector, ...rule.own, ...rule.shared]) assert.ok(specFor(key), key);
            assert.ok(rule.own.includes(rule.selector), rule.kind);
        }
    });

    describe("config vs environment, for every pair of kinds", () => {
        for (const inConfig of KINDS) {
            for (const inEnv of KINDS) {
                if (inConfig === inEnv) continue;
                it(`${inConfig} in stack config beats ${inEnv} in the environment`, () => {
                    const s = resolveSettings(config(SELECT[inConfig].config), SELECT[inEnv].env);
                    const choice = chooseCredential(s);
                    assert.equal(choice.kind, inConfig);
                    assert.equal(choice.tier, "stack config");
                    const selector = CREDENTIAL_PRECEDENCE.find((r) => r.kind === inEnv)!.selector;
                    const ignored = choice.ignored.find((i) => i.key === selector);
                    assert.ok(ignored, `${selector} reported as not used`);
                    assert.match(ignored.source, /^env /);
                    assert.match(ignored.reason, /stack config beats the environment/);
                    // Only what the environment set: no defaults (oidcAudience), nothing of the winner's.
                    for (const i of choice.ignored) assert.match(i.source, /^env /, i.key);
                });
            }
        }
    });

    it("within one tier the table's order decides (environment only, config only)", () => {
        KINDS.forEach((first, i) => {
            for (const later of KINDS.slice(i + 1)) {
                const env = resolveSettings(undefined, { ...SELECT[first].env, ...SELECT[later].env });
                assert.equal(credentialKind(env), first, `${first} before ${later} (env)`);
                assert.equal(chooseCredential(env).tier, "environment");
                const cfg = resolveSettings(config({ ...SELECT[first].config, ...SELECT[later].config }), {});
                const choice = chooseCredential(cfg);
                assert.equal(choice.kind, first, `${first} before ${later} (config)`);
                assert.match(choice.ignored[0]!.reason, /comes first in the precedence/);
            }
        });
        assert.equal(credentialKind(resolveSettings(undefined, {})), "default");
    });

    it("the chosen kind still takes its missing pieces (tenantId, clientId) from the environment", () => {
        const s = resolveSettings(config({ "cloudpc:useOidc": "true", "cloudpc:oidcToken": "tok" }), {
            ARM_TENANT_ID: TENANT,
            ARM_CLIENT_ID: CLIENT,
            AZURE_CLIENT_SECRET: SECRET,
        });
        const created = createCredential(s);
        assert.equal(created.kind, "workloadIdentity");
        assert.equal(s.tenantId, TENANT);
        assert.equal(settingSource(s, "clientId"), "env ARM_CLIENT_ID");
        // Built as OIDC: the ambient secret is not used (RenewableCredential wraps a ClientAssertionCredential).
        assert.ok((created.credential as unknown as { current: unknown }).current instanceof ClientAssertionCredential);
    });

    it("an explicit false in stack config is respected, and the pieces the environment offers are named as unused", () => {
        const oidcOff = resolveSettings(config({ "cloudpc:useOidc": "false" }), {
            ARM_USE_OIDC: "true",
            AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
            ARM_USE_MSI: "true",
        });
        const choice = chooseCredential(oidcOff);
        assert.equal(choice.kind, "managedIdentity");
        assert.deepEqual(choice.ignored, [
            {
                key: "oidcTokenFilePath",
                source: "env AZURE_FEDERATED_TOKEN_FILE",
                reason: "stack config cloudpc:useOidc is false",
            },
        ]);
        const cliOff = resolveSettings(config({ "cloudpc:useCli": "false" }), { ARM_USE_CLI: "true" });
        assert.equal(credentialKind(cliOff), "default");
        const msiOff = resolveSettings(config({ "cloudpc:useMsi": "false" }), {
            ARM_USE_MSI: "true",
            ARM_USE_CLI: "1",
        });
        assert.equal(credentialKind(msiOff), "azureCli");
    });

    it("the log line names what was not used and why, never a value", () => {
        const s = resolveSettings(config({ "cloudpc:useCli": "true" }), {
            ARM_CLIENT_SECRET: SECRET,
            ARM_CLIENT_CERTIFICATE_PATH: "/secret/place/c.pfx",
            ARM_CLIENT_CERTIFICATE_PASSWORD: "pfx-password-value",
            ARM_TENANT_ID: TENANT,
        });
        const line = describeCredentialChoice(s, credentialKind(s));
        assert.equal(
            line,
            "signing in with the Azure CLI's account: useCli from stack config cloudpc:useCli, tenantId from env ARM_TENANT_ID. " +
                "Not used: clientSecret from env ARM_CLIENT_SECRET (stack config cloudpc:useCli selects the Azure CLI's account, " +
                "and stack config beats the environment); clientCertificatePath from env ARM_CLIENT_CERTIFICATE_PATH (stack config " +
                "cloudpc:useCli selects the Azure CLI's account, and stack config beats the environment); clientCertificatePassword " +
                "from env ARM_CLIENT_CERTIFICATE_PASSWORD (stack config cloudpc:useCli selects the Azure CLI's account, and stack " +
                "config beats the environment).",
        );
        for (const value of [SECRET, "/secret/place", "pfx-password-value", TENANT])
            assert.ok(!line.includes(value), value);
    });

    it("settings built by hand (no recorded sources) keep the plain order", () => {
        const s = resolveSettings(undefined, {});
        assert.equal(chooseCredential({ ...s, clientSecret: SECRET, useOidc: true }).kind, "clientSecret");
    });
});

describe("azuread stack config fallback", () => {
    const azuread = (values: Record<string, string>) =>
        config(Object.fromEntries(Object.entries(values).map(([k, v]) => [`azuread:${k}`, v])));

    it("maps only settings that exist, under azuread's own names", () => {
        for (const [key, alias] of Object.entries(AZUREAD_KEYS)) {
            assert.ok(
                SETTINGS_TABLE.some((s) => s.key === key),
                key,
            );
            assert.equal(alias, key, "azuread uses the same names");
        }
        assert.equal(AZUREAD_KEYS.oidcAudience, undefined);
        assert.equal(AZUREAD_KEYS.graphEndpoint, undefined);
    });

    it("reads azuread:* when no cloudpc:* key is set, and says so in the sources", () => {
        const s = resolveSettings(
            azuread({ tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, environment: "usgovernmentl4" }),
            {},
        );
        assert.equal(s.tenantId, TENANT);
        assert.equal(s.clientSecret, SECRET);
        assert.equal(s.environment, "usgovernment");
        assert.equal(s.graphEndpoint, "https://graph.microsoft.us");
        assert.equal(settingSource(s, "tenantId"), "stack config azuread:tenantId");
        assert.match(
            describeCredentialChoice(s, credentialKind(s)),
            /^signing in with a client secret: clientSecret from stack config azuread:clientSecret, tenantId from stack config azuread:tenantId/,
        );
    });

    it("is stack config: azuread:useOidc beats a secret left in the environment", () => {
        const s = resolveSettings(azuread({ useOidc: "true", oidcTokenFilePath: "/t" }), { ARM_CLIENT_SECRET: SECRET });
        const choice = chooseCredential(s);
        assert.equal(choice.kind, "workloadIdentity");
        assert.match(choice.ignored[0]!.reason, /^stack config azuread:useOidc selects/);
    });

    it("is not read at all once any cloudpc:* key is set", () => {
        const s = resolveSettings(
            config({ "cloudpc:pollIntervalSeconds": "1", "azuread:tenantId": TENANT, "azuread:useMsi": "true" }),
            {},
        );
        assert.equal(s.tenantId, undefined);
        assert.equal(s.useMsi, false);
    });

    it("maps azuread's environment values", () => {
        const expected: Record<string, string> = {
            global: "public",
            public: "public",
            usgovernmentl4: "usgovernment",
            usgovernment: "usgovernment",
            usgovernmentl5: "usgovernmentdod",
            dod: "usgovernmentdod",
            china: "china",
        };
        assert.deepEqual({ ...AZUREAD_ENVIRONMENTS }, expected);
        for (const [value, cloud] of Object.entries(expected)) {
            assert.equal(resolveSettings(azuread({ environment: value }), {}).environment, cloud, value);
        }
    });

    it("errors name the azuread key the value came from", () => {
        const err = (() => {
            try {
                resolveSettings(azuread({ environment: "germany" }), {});
            } catch (e) {
                return e;
            }
            return undefined;
        })();
        assert.ok(err instanceof SettingsError);
        assert.match(err.message, /value "germany" from stack config azuread:environment is not a known cloud/);
        const bad = (() => {
            try {
                resolveSettings(azuread({ clientId: "not-a-guid" }), {});
            } catch (e) {
                return e as Error;
            }
            return undefined;
        })();
        assert.match(bad!.message, /from stack config azuread:clientId is not a GUID/);
    });
});
