// Several tenants in one stack: a resource's `settings` input names a stack config namespace. Its sign-in settings
// come only from `<ns>:*` (never the environment or cloudpc:*, the default tenant's); the others fall back to the
// default's. Errors name the `<ns>:` keys and the command that sets them; the input's check and diff; one runtime
// per namespace in the registry.
import * as assert from "node:assert/strict";
import { resolveSettings, settingSource, SettingsError } from "../../provider/config/settings";
import { azurePipelinesPieces } from "../../provider/config/azure-pipelines";
import { credentialKind } from "../../provider/config/credential";
import { resolveNamespaceSettings } from "../../provider/config/settings-namespace";
import { SETTINGS_TABLE, specFor, specIn } from "../../provider/config/settings-table";
import { checkCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/check";
import { diffCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/diff";
import { checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { diffImportedSnapshot } from "../../provider/resources/imported-snapshot/diff";
import { RuntimeRegistry } from "../../provider/runtime/registry";
import { UNKNOWN } from "../../provider/validation/unknown";

const TENANT_A = "11111111-2222-3333-4444-555555555555";
const TENANT_B = "66666666-7777-4888-9999-000000000000";
const CLIENT_A = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const CLIENT_B = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
const SECRET_A = "default~tenant-secret-canary-AAAA";
const SECRET_B = "tenantB~secret-canary-BBBB-0123";
const USER = "0a0b0c0d-1111-4222-8333-444455556666";

const source = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
const ENV = {
    AZURE_TENANT_ID: TENANT_A,
    AZURE_CLIENT_ID: CLIENT_A,
    AZURE_CLIENT_SECRET: SECRET_A,
    CLOUDPC_POLL_INTERVAL_SECONDS: "0.5",
    AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/token",
};

describe("settings namespaces (several tenants in one stack)", () => {
    it("marks the sign-in rows in the table; every secret is a sign-in setting", () => {
        const signIn = SETTINGS_TABLE.filter((s) => s.signIn).map((s) => s.key);
        for (const key of ["tenantId", "clientId", "clientSecret", "useOidc", "oidcRequestToken", "useCli", "useMsi"]) {
            assert.ok(signIn.includes(key as never), key);
        }
        for (const key of [
            "environment",
            "graphEndpoint",
            "authorityHost",
            "pollIntervalSeconds",
            "pendingImportsDir",
        ]) {
            assert.ok(!signIn.includes(key as never), key);
        }
        // A secret of another tenant borrowed from the default would sign in to the wrong tenant.
        for (const s of SETTINGS_TABLE.filter((r) => r.secret)) assert.ok(s.signIn, `${s.key} is secret, so sign-in`);
        assert.equal(specIn(specFor("clientSecret"), "tenantB").configKey, "tenantB:clientSecret");
        assert.deepEqual(specIn(specFor("clientSecret"), "tenantB").env, []);
        assert.equal(specIn(specFor("clientSecret"), "cloudpc"), specFor("clientSecret"));
    });

    it("reads sign-in only from <ns>:*, never the environment or cloudpc:*; the rest falls back to the default", () => {
        const config = source({
            "cloudpc:tenantId": TENANT_A,
            "cloudpc:clientId": CLIENT_A,
            "cloudpc:clientSecret": SECRET_A,
            "cloudpc:graphEndpoint": "https://graph.example.test",
            "tenantB:tenantId": TENANT_B,
            "tenantB:clientId": CLIENT_B,
            "tenantB:clientSecret": SECRET_B,
            "tenantB:authorityHost": "https://login.example.test",
        });
        const b = resolveSettings(config, ENV, { namespace: "tenantB" });
        assert.equal(b.namespace, "tenantB");
        assert.equal(b.tenantId, TENANT_B);
        assert.equal(b.clientId, CLIENT_B);
        assert.equal(b.clientSecret, SECRET_B);
        assert.equal(b.useOidc, false, "AZURE_FEDERATED_TOKEN_FILE is the default tenant's");
        assert.equal(b.graphEndpoint, "https://graph.example.test", "cloudpc:graphEndpoint, as for the default");
        assert.equal(b.authorityHost, "https://login.example.test", "tenantB's own");
        assert.equal(b.pollIntervalSeconds, 0.5, "the environment, as for the default");
        assert.equal(settingSource(b, "clientSecret"), "stack config tenantB:clientSecret");
        assert.equal(settingSource(b, "graphEndpoint"), "stack config cloudpc:graphEndpoint");

        // Nor does the azuread provider's config (the default's fallback when no cloudpc:* key is set).
        const azuread = resolveSettings(
            source({ "azuread:clientId": CLIENT_A, "azuread:clientSecret": SECRET_A, "tenantB:tenantId": TENANT_B }),
            {},
            { namespace: "tenantB" },
        );
        assert.equal(azuread.clientSecret, undefined);
        assert.equal(azuread.clientId, undefined);

        // Without tenantB:clientSecret nothing of the default's fills in.
        const partial = resolveSettings(source({ "tenantB:tenantId": TENANT_B }), ENV, { namespace: "tenantB" });
        assert.equal(partial.clientId, undefined);
        assert.equal(partial.clientSecret, undefined);

        // The default is unchanged: cloudpc:* then the environment; "cloudpc" named is the default.
        const a = resolveSettings(config, ENV);
        assert.equal(a.clientSecret, SECRET_A);
        assert.equal(a.namespace, undefined);
        assert.deepEqual(resolveSettings(config, ENV, { namespace: "cloudpc" }), a);
    });

    it("names <ns>:key in an invalid value's error", () => {
        assert.throws(
            () => resolveSettings(source({ "tenantB:tenantId": "not a tenant" }), {}, { namespace: "tenantB" }),
            (err: Error) =>
                err instanceof SettingsError &&
                err.message.includes("tenantB:tenantId") &&
                err.message.includes("from stack config tenantB:tenantId") &&
                !err.message.includes("cloudpc:tenantId"),
        );
    });

    it("refuses a namespace that cannot sign in, naming the <ns>: keys and how to set them, never a secret", () => {
        const none = () => resolveNamespaceSettings(source({ "cloudpc:clientSecret": SECRET_A }), ENV, "tenantB");
        assert.throws(none, (err: Error) => {
            assert.ok(err instanceof SettingsError);
            assert.match(err.message, /settings "tenantB" names the stack config namespace tenantB:\*/);
            assert.match(err.message, /pulumi config set tenantB:clientId <clientId>/);
            assert.match(err.message, /pulumi config set --secret tenantB:clientSecret <clientSecret>/);
            assert.ok(!err.message.includes(SECRET_A));
            assert.ok((err as SettingsError).keys.includes("tenantB:clientSecret"));
            return true;
        });
        const noClient = () =>
            resolveNamespaceSettings(
                source({ "tenantB:tenantId": TENANT_B, "tenantB:clientSecret": SECRET_B }),
                ENV,
                "tenantB",
            );
        assert.throws(noClient, (err: Error) => {
            assert.ok(err instanceof SettingsError);
            assert.deepEqual((err as SettingsError).keys, ["tenantB:clientId"]);
            assert.match(err.message, /tenantB:clientId is not set/);
            assert.match(err.message, /Fix: pulumi config set tenantB:clientId <clientId>\./);
            assert.ok(!err.message.includes(SECRET_B), "the secret is never shown");
            return true;
        });
        assert.throws(() => resolveNamespaceSettings(source({}), {}, "tenant:B"), /must name a stack config namespace/);
        // useCli needs nothing else (the CLI's login picks the tenant, tenantB:tenantId narrows it).
        assert.equal(resolveNamespaceSettings(source({ "tenantB:useCli": "true" }), ENV, "tenantB").useCli, true);
    });

    it("an Azure DevOps sign-in under <ns>: names the <ns>: keys it misses", () => {
        const s = resolveNamespaceSettings(
            source({
                "tenantB:useOidc": "true",
                "tenantB:tenantId": TENANT_B,
                "tenantB:clientId": CLIENT_B,
                "tenantB:adoServiceConnectionId": "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
            }),
            { ...ENV, SYSTEM_ACCESSTOKEN: "ambient-token-of-the-default-tenant" },
            "tenantB",
        );
        assert.equal(credentialKind(s), "azurePipelines");
        assert.equal(s.adoSystemAccessToken, undefined, "the default tenant's job token is not borrowed");
        assert.throws(
            () => azurePipelinesPieces(s, { SYSTEM_OIDCREQUESTURI: "https://dev.azure.com/x" }),
            (err: Error) =>
                err instanceof SettingsError &&
                err.message.includes("tenantB:adoSystemAccessToken") &&
                !err.message.includes("cloudpc:adoSystemAccessToken"),
        );
    });

    it("check: settings is a namespace name; cloudpc and absent are the default; the value is never echoed", () => {
        const base = {
            assignedUserId: USER,
            sourceFiles: [{ sasUrl: "https://acct.blob.core.windows.net/c/disk.vhd?sv=1&sig=abc" }],
        };
        const ok = checkImportedSnapshot({ ...base, settings: "tenantB" });
        assert.deepEqual(ok.failures, []);
        assert.equal(ok.inputs.settings, "tenantB");
        assert.equal(checkImportedSnapshot({ ...base, settings: "cloudpc" }).inputs.settings, undefined);
        assert.equal(checkImportedSnapshot({ ...base, settings: "" }).inputs.settings, undefined);
        assert.deepEqual(checkImportedSnapshot({ ...base, settings: UNKNOWN }).failures, []);

        const leaked = checkImportedSnapshot({ ...base, settings: SECRET_B + "/=" });
        assert.equal(leaked.failures.length, 1);
        assert.equal(leaked.failures[0]!.property, "settings");
        assert.match(leaked.failures[0]!.reason, /stack config namespace/);
        assert.ok(!leaked.failures[0]!.reason.includes(SECRET_B), "a secret put there by mistake is not shown");
        assert.match(checkCloudPcSnapshot({ cloudPcId: USER, settings: 42 }).failures[0]!.reason, /got a number/);
    });

    it("diff: another namespace replaces (delete first for the same user); absent and cloudpc are the same", () => {
        const olds = {
            assignedUserId: USER,
            sourceFiles: [{ sourceType: "sasUrl", fileType: "dataFile", sasUrlRedacted: "https://a.blob/c/d.vhd" }],
            settings: null,
        };
        const news = { assignedUserId: USER, sourceFiles: [{ sasUrl: "https://a.blob/c/d.vhd?sig=x" }] };
        assert.deepEqual(diffImportedSnapshot(olds, news), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.equal(diffImportedSnapshot(olds, { ...news, settings: "cloudpc" }).changes, false);
        assert.deepEqual(diffImportedSnapshot(olds, { ...news, settings: "tenantB" }), {
            changes: true,
            replaces: ["settings"],
            deleteBeforeReplace: true,
        });
        assert.deepEqual(diffImportedSnapshot(olds, { ...news, settings: UNKNOWN }).replaces, ["settings"]);
        const pc = { cloudPcId: USER, settings: "tenantB" };
        assert.deepEqual(diffCloudPcSnapshot(pc, { cloudPcId: USER }).replaces, ["settings"]);
        assert.equal(diffCloudPcSnapshot(pc, { cloudPcId: USER, settings: "tenantB" }).changes, false);
    });

    it("the registry gives each namespace its own runtime from configure()'s stack config, secrets in its redactor", () => {
        const registry = new RuntimeRegistry();
        const config = source({
            "cloudpc:tenantId": TENANT_A,
            "cloudpc:clientId": CLIENT_A,
            "cloudpc:clientSecret": SECRET_A,
            "tenantB:tenantId": TENANT_B,
            "tenantB:clientId": CLIENT_B,
            "tenantB:clientSecret": SECRET_B,
        });
        const a = registry.configure(config, {});
        const b = registry.forNamespace("tenantB", {});
        assert.notEqual(a, b);
        assert.equal(registry.forNamespace(undefined), a);
        assert.equal(registry.forNamespace("cloudpc"), a);
        assert.equal(registry.forNamespace("tenantB", {}), b, "one runtime per namespace");
        assert.equal(b.settings.tenantId, TENANT_B);
        assert.equal(b.redactor.redact(`x ${SECRET_B} y`).includes(SECRET_B), false);
        assert.equal(a.redactor.redact(`x ${SECRET_A} y`).includes(SECRET_A), false);
        assert.throws(() => registry.forNamespace("tenantC", {}), /tenantC:\*, which holds no sign-in setting/);
    });
});
