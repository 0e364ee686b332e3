// Azure DevOps workload identity: with a service connection id and the job's System.AccessToken, the provider
// (AzurePipelinesCredential) asks Azure Pipelines' ID-token endpoint (a local HTTPS stand-in at
// SYSTEM_OIDCREQUESTURI here) for a fresh ID token at each sign-in, and the emulator's authority takes it as a
// federated client assertion. Access tokens live one second, so one import spans several sign-ins. System.AccessToken
// is a secret: it must not reach logs (the Azure SDK's own included), the engine's log service or errors, also
// when Azure DevOps refuses it.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startCiIdTokenEndpoint, type CiIdTokenEndpoint } from "../harness/ci-id-token-endpoint";
import { startEngineLogSink } from "../harness/engine-log-sink";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine } from "../harness/engine";
import { inputs } from "../fixtures";

const FEDERATED_CLIENT = "5d2c4b6a-8e1f-4a3b-9c7d-2e4f6a8b0c1d";
const SERVICE_CONNECTION = "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const ISSUER = "https://vstoken.dev.azure.com/6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const ACCESS_TOKEN = `CanarySystemAccessToken${randomBytes(12).toString("hex")}`;

describe("Azure DevOps workload identity: ID tokens asked of Azure Pipelines for a service connection", function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let pipelines: CiIdTokenEndpoint;
    let sink: Awaited<ReturnType<typeof startEngineLogSink>>;
    const providers: DynamicProviderProcess[] = [];

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 2_500,
            tokenLifetimeSeconds: 1,
            clients: [{ clientId: FEDERATED_CLIENT, federatedIssuer: ISSUER }],
        });
        pipelines = await startCiIdTokenEndpoint({
            dialect: "azurePipelines",
            requestToken: ACCESS_TOKEN,
            issuer: ISSUER,
            subject: "sc://contoso/cloudpc/prod-arm",
            lifetimeSeconds: 2,
            serviceConnectionId: SERVICE_CONNECTION,
        });
        sink = await startEngineLogSink();
    });
    after(async () => {
        for (const p of providers) await p.close();
        await sink?.close();
        await pipelines?.close();
        await emulator?.close();
    });

    /** A provider process with the environment of an AzureCLI@2 step that maps SYSTEM_ACCESSTOKEN. */
    async function provider(): Promise<MiniEngine> {
        const proc = await DynamicProviderProcess.start({
            engineAddress: sink.address,
            env: {
                ARM_USE_OIDC: "true",
                AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: SERVICE_CONNECTION,
                AZURESUBSCRIPTION_CLIENT_ID: FEDERATED_CLIENT,
                AZURESUBSCRIPTION_TENANT_ID: emulator.tenantId,
                SYSTEM_ACCESSTOKEN: ACCESS_TOKEN,
                SYSTEM_OIDCREQUESTURI: pipelines.url,
                // The Azure SDK's own log, on stderr: checked for the token too.
                AZURE_LOG_LEVEL: "info",
                AZURE_TENANT_ID: "",
                AZURE_CLIENT_ID: "",
                AZURE_CLIENT_SECRET: "",
                ARM_CLIENT_SECRET: "",
                AZURE_FEDERATED_TOKEN_FILE: "",
                ARM_OIDC_TOKEN: "",
                ACTIONS_ID_TOKEN_REQUEST_URL: "",
                ACTIONS_ID_TOKEN_REQUEST_TOKEN: "",
                CLOUDPC_GRAPH_ENDPOINT: emulator.graphEndpoint,
                CLOUDPC_AUTHORITY_HOST: emulator.authorityHost,
                CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
            },
        });
        providers.push(proc);
        await proc.configure({});
        return new MiniEngine(proc, await serializeProvider(new CloudPcImportedSnapshotProvider()));
    }

    function everythingLogged(): string {
        return [...providers.flatMap((p) => [...p.stdout, ...p.stderr]), ...sink.messages].join("\n");
    }

    it("imports across access-token expiry, asking Azure Pipelines for a fresh ID token at each sign-in", async () => {
        const engine = await provider();
        await engine.up([{ name: "ado", inputs: inputs() }]);
        assert.equal(engine.state.get("ado")!.outputs.importStatus, "succeeded");

        assert.ok(pipelines.requests.length >= 2, `Azure Pipelines was asked ${pipelines.requests.length} time(s)`);
        for (const r of pipelines.requests) {
            assert.deepEqual(
                [r.method, r.authorization, r.query],
                ["POST", `Bearer ${ACCESS_TOKEN}`, { "api-version": "7.1", serviceConnectionId: SERVICE_CONNECTION }],
            );
        }
        assert.ok(emulator.issuedTokens().length >= 2, "the import did not outlive its first access token");
        assert.ok(pipelines.issued.length >= emulator.issuedTokens().length, "a sign-in reused an ID token");
        const logged = everythingLogged();
        assert.match(logged, /AzurePipelinesCredential/, "the Azure SDK's log was not captured");
        assert.ok(!logged.includes(ACCESS_TOKEN), "System.AccessToken reached a log");
        const output = [...providers[0]!.stdout, ...providers[0]!.stderr].join("");
        assert.deepEqual(
            output.split("\n").filter((m) => /signing in with/.test(m)),
            [
                "info: [runtime] cloudpc: signing in with an Azure DevOps service connection (workload identity " +
                    "federation): useOidc from env ARM_USE_OIDC, adoServiceConnectionId from env " +
                    "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, adoSystemAccessToken from env SYSTEM_ACCESSTOKEN, " +
                    "tenantId from env AZURESUBSCRIPTION_TENANT_ID, clientId from env AZURESUBSCRIPTION_CLIENT_ID.",
            ],
        );
    });

    it("names the refusal and the fix without System.AccessToken when Azure DevOps answers 401", async () => {
        pipelines.deny = true;
        const asked = pipelines.requests.length;
        const engine = await provider();
        const err = await engine.up([{ name: "denied", inputs: inputs() }]).then(
            () => assert.fail("the import succeeded without an ID token"),
            (e: unknown) => e as Error,
        );
        assert.ok(pipelines.requests.length > asked, "Azure Pipelines was not asked");
        assert.match(
            err.message,
            new RegExp(`Azure DevOps did not issue an ID token for service connection ${SERVICE_CONNECTION}`),
        );
        assert.match(err.message, /maps `SYSTEM_ACCESSTOKEN: \$\(System\.AccessToken\)`/);
        assert.match(err.message, /Status code: 401/);
        assert.ok(!err.message.includes(ACCESS_TOKEN), "System.AccessToken is in the error");
        assert.ok(!everythingLogged().includes(ACCESS_TOKEN), "System.AccessToken reached a log");
    });
});
