// Azure DevOps workload identity: when the settings choose it, and what a missing piece says (the fix, never the
// job's access token). The sign-in itself, against a stand-in for Azure Pipelines' ID-token endpoint:
// test/integration/ci-oidc.test.ts; through the real CLI: test/e2e/e2e-ci-oidc.test.ts.
import * as assert from "node:assert/strict";
import { azurePipelinesCredential, azurePipelinesPieces } from "../../provider/config/azure-pipelines";
import { authorityOptions, createCredential, credentialKind } from "../../provider/config/credential";
import { describeCredentialChoice } from "../../provider/config/credential-choice";
import { RenewableCredential } from "../../provider/config/renewable-credential";
import { resolveSettings } from "../../provider/config/settings";
import { settingsErrorOf } from "../harness/settings-error";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const CONNECTION = "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const ACCESS_TOKEN = "CanarySystemAccessToken-7d1e0f";
const OIDC_URI = "https://dev.azure.com/contoso/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken";

/** An AzureCLI@2 step of a pipeline that maps SYSTEM_ACCESSTOKEN and sets ARM_USE_OIDC. */
const ADO_STEP: Record<string, string> = {
    ARM_USE_OIDC: "true",
    AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: CONNECTION,
    AZURESUBSCRIPTION_CLIENT_ID: CLIENT,
    AZURESUBSCRIPTION_TENANT_ID: TENANT,
    SYSTEM_ACCESSTOKEN: ACCESS_TOKEN,
    SYSTEM_OIDCREQUESTURI: OIDC_URI,
};

/** A SettingsError that never holds the job's access token. */
const adoSettingsError = (fn: () => unknown) => settingsErrorOf(fn, ACCESS_TOKEN);

describe("Azure DevOps workload identity (AzurePipelinesCredential)", () => {
    const kind = (env: Record<string, string>) => credentialKind(resolveSettings(undefined, env));

    it("follows the precedence: useOidc in stack config picks it over an ambient secret; a secret in config wins", () => {
        const cfg = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
        const oidcInConfig = resolveSettings(cfg({ "cloudpc:useOidc": "true" }), {
            ...ADO_STEP,
            ARM_USE_OIDC: "",
            AZURE_CLIENT_SECRET: "ambient-secret",
        });
        assert.equal(credentialKind(oidcInConfig), "azurePipelines");
        assert.match(describeCredentialChoice(oidcInConfig, "azurePipelines"), /Azure DevOps service connection/);
        assert.match(describeCredentialChoice(oidcInConfig, "azurePipelines"), /Not used: clientSecret from env/);

        const secretInConfig = resolveSettings(cfg({ "cloudpc:clientSecret": "configured" }), ADO_STEP);
        assert.equal(credentialKind(secretInConfig), "clientSecret");
        const line = describeCredentialChoice(secretInConfig, "clientSecret");
        assert.match(line, /Not used: .*adoServiceConnectionId from env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID/);
        assert.ok(!line.includes(ACCESS_TOKEN) && !line.includes("configured"), line);
    });

    it("is chosen with useOidc and a service connection id, unless a token or token file was given", () => {
        assert.equal(kind(ADO_STEP), "azurePipelines");
        for (const name of [
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        ]) {
            const s = resolveSettings(undefined, { ARM_USE_OIDC: "true", [name]: CONNECTION });
            assert.equal(s.adoServiceConnectionId, CONNECTION, name);
            assert.equal(credentialKind(s), "azurePipelines", name);
        }
        assert.equal(kind({ ...ADO_STEP, ARM_USE_OIDC: "" }), "default", "useOidc stays the switch");
        assert.equal(kind({ ...ADO_STEP, ARM_OIDC_TOKEN_FILE_PATH: "/t" }), "workloadIdentity");
        assert.equal(kind({ ...ADO_STEP, ARM_OIDC_TOKEN: "x" }), "workloadIdentity");
        assert.equal(kind({ ...ADO_STEP, ARM_CLIENT_SECRET: "s" }), "clientSecret");
        // A service connection id is deliberate; GitHub's runner URL is ambient.
        assert.equal(
            kind({ ...ADO_STEP, ACTIONS_ID_TOKEN_REQUEST_URL: "https://gh.example.test/t" }),
            "azurePipelines",
        );
        // A lone System.AccessToken: Azure DevOps (the error then names the id), unless GitHub's runner is there.
        const lone = { ARM_USE_OIDC: "true", SYSTEM_ACCESSTOKEN: ACCESS_TOKEN };
        assert.equal(kind(lone), "azurePipelines");
        assert.equal(kind({ ...lone, ACTIONS_ID_TOKEN_REQUEST_URL: "https://gh.example.test/t" }), "workloadIdentity");
    });

    it("takes the service connection's tenant and app from AZURESUBSCRIPTION_* after the usual names", () => {
        const s = resolveSettings(undefined, { ...ADO_STEP, ARM_CLIENT_ID: "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee" });
        assert.deepEqual([s.tenantId, s.clientId], [TENANT, "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"]);
        assert.deepEqual(azurePipelinesPieces(resolveSettings(undefined, ADO_STEP), ADO_STEP), {
            tenantId: TENANT,
            clientId: CLIENT,
            serviceConnectionId: CONNECTION,
            systemAccessToken: ACCESS_TOKEN,
        });
        // Terraform's azurerm takes $(System.AccessToken) as ARM_OIDC_REQUEST_TOKEN.
        const terraform = { ...ADO_STEP, SYSTEM_ACCESSTOKEN: "", ARM_OIDC_REQUEST_TOKEN: ACCESS_TOKEN };
        assert.equal(
            azurePipelinesPieces(resolveSettings(undefined, terraform), terraform).systemAccessToken,
            ACCESS_TOKEN,
        );
    });

    it("says the YAML must map SYSTEM_ACCESSTOKEN when the job's access token is missing", () => {
        const env = { ...ADO_STEP, SYSTEM_ACCESSTOKEN: "" };
        const err = adoSettingsError(() => azurePipelinesPieces(resolveSettings(undefined, env), env));
        assert.match(err.message, /cloudpc:adoSystemAccessToken \(env SYSTEM_ACCESSTOKEN\) is not set/);
        assert.match(err.message, /SYSTEM_ACCESSTOKEN: \$\(System\.AccessToken\)/);
        assert.deepEqual(err.keys, ["cloudpc:adoSystemAccessToken"]);
    });

    it("names each other missing piece and its fix, never the access token", () => {
        const pieces = (env: Record<string, string>) => () =>
            azurePipelinesPieces(resolveSettings(undefined, env), env);
        const noId = adoSettingsError(pieces({ ...ADO_STEP, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "" }));
        assert.match(noId.message, /cloudpc:adoServiceConnectionId \(env ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, /);
        assert.match(noId.message, /AzureCLI@2/);

        const byName = adoSettingsError(pieces({ ...ADO_STEP, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "prod-arm" }));
        assert.match(byName.message, /value "prod-arm" from env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID is not a GUID/);
        assert.match(byName.message, /not its name/);

        const noTenant = adoSettingsError(pieces({ ...ADO_STEP, AZURESUBSCRIPTION_TENANT_ID: "" }));
        assert.match(noTenant.message, /cloudpc:tenantId \(env [^)]*AZURESUBSCRIPTION_TENANT_ID\) is not set/);
        assert.deepEqual(noTenant.keys, ["cloudpc:tenantId"]);

        const outside = adoSettingsError(pieces({ ...ADO_STEP, SYSTEM_OIDCREQUESTURI: "" }));
        assert.match(outside.message, /SYSTEM_OIDCREQUESTURI is not set/);
        assert.match(outside.message, /Azure Pipelines job/);
    });

    it("builds a renewable AzurePipelinesCredential through createCredential", () => {
        // AzurePipelinesCredential reads SYSTEM_OIDCREQUESTURI from process.env itself.
        const saved = process.env.SYSTEM_OIDCREQUESTURI;
        process.env.SYSTEM_OIDCREQUESTURI = OIDC_URI;
        try {
            const s = resolveSettings(undefined, ADO_STEP);
            const created = createCredential(s);
            assert.equal(created.kind, "azurePipelines");
            assert.ok(created.credential instanceof RenewableCredential);
            assert.ok(azurePipelinesCredential(s, authorityOptions(s), ADO_STEP) instanceof RenewableCredential);
        } finally {
            if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
            else process.env.SYSTEM_OIDCREQUESTURI = saved;
        }
    });

    it("says which settings chose it, without their values", () => {
        const s = resolveSettings({ get: (k) => (k === "cloudpc:useOidc" ? "true" : undefined) }, ADO_STEP);
        const line = describeCredentialChoice(s, credentialKind(s));
        assert.equal(
            line,
            "signing in with an Azure DevOps service connection (workload identity federation): " +
                "useOidc from stack config cloudpc:useOidc, " +
                "adoServiceConnectionId from env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, " +
                "adoSystemAccessToken from env SYSTEM_ACCESSTOKEN, tenantId from env AZURESUBSCRIPTION_TENANT_ID, " +
                "clientId from env AZURESUBSCRIPTION_CLIENT_ID.",
        );
        const terraform = resolveSettings(undefined, {
            ...ADO_STEP,
            SYSTEM_ACCESSTOKEN: "",
            ARM_OIDC_REQUEST_TOKEN: ACCESS_TOKEN,
        });
        const terraformLine = describeCredentialChoice(terraform, credentialKind(terraform));
        assert.match(terraformLine, /oidcRequestToken from env ARM_OIDC_REQUEST_TOKEN/);
        for (const value of [ACCESS_TOKEN, CONNECTION, TENANT, CLIENT]) {
            assert.ok(!line.includes(value) && !terraformLine.includes(value), value);
        }
    });
});
