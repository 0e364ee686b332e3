// Workload identity federation from CI with no token file, in the two dialects users have: GitHub Actions (the
// runner's ID-token endpoint, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) and Azure DevOps (AzurePipelinesCredential:
// SYSTEM_OIDCREQUESTURI, a service connection and the job's System.AccessToken). A local HTTPS stand-in plays the CI
// endpoint; the emulator's authority takes its ID tokens as federated client assertions. Access tokens live one
// second, so one import spans several sign-ins, each with a fresh ID token. The CI's token is a secret: it must not
// reach logs (the Azure SDK's own included), the engine's log service or errors, also when the CI refuses it.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startCiIdTokenEndpoint, type CiIdTokenEndpoint, type CiIdTokenOptions } from "../harness/ci-id-token-endpoint";
import { startEngineLogSink, type EngineLogSink } from "../harness/engine-log-sink";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine } from "../harness/engine";
import { inputs } from "../fixtures";

const SERVICE_CONNECTION = "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

/** Every variable that could choose another credential or token source, cleared. */
const NOTHING_ELSE: Record<string, string> = {
    AZURE_TENANT_ID: "",
    AZURE_CLIENT_ID: "",
    AZURE_CLIENT_SECRET: "",
    ARM_CLIENT_SECRET: "",
    AZURE_FEDERATED_TOKEN_FILE: "",
    ARM_OIDC_TOKEN: "",
    ACTIONS_ID_TOKEN_REQUEST_URL: "",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "",
    SYSTEM_ACCESSTOKEN: "",
    SYSTEM_OIDCREQUESTURI: "",
};

interface Dialect {
    name: string;
    clientId: string;
    issuer: string;
    secret: string;
    endpoint: Omit<CiIdTokenOptions, "requestToken" | "issuer">;
    /** The job's environment, as the CI and the README's setup give it. */
    env(endpointUrl: string, tenantId: string): Record<string, string>;
    /** What every request to the CI endpoint must be: method, authorization, query. */
    request: [string, string, Record<string, string>];
    /** The process's one line saying which credential signs in. */
    choice: string;
    /** What the Azure SDK's own log (AZURE_LOG_LEVEL in env) shows, so the check for the token covers it. */
    sdkLog?: RegExp;
    /** What the error says when the CI refuses the token. */
    refusal: RegExp[];
}

const GITHUB_TOKEN = `CanaryRequestToken${randomBytes(12).toString("hex")}`;
const ADO_TOKEN = `CanarySystemAccessToken${randomBytes(12).toString("hex")}`;

const DIALECTS: Dialect[] = [
    {
        name: "GitHub Actions (the runner's ID-token endpoint)",
        clientId: "7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8",
        issuer: "https://token.actions.githubusercontent.com",
        secret: GITHUB_TOKEN,
        endpoint: { dialect: "github", subject: "repo:contoso/cloudpc:ref:refs/heads/main", lifetimeSeconds: 2 },
        env: (url, tenantId) => ({
            ARM_USE_OIDC: "true",
            AZURE_CLIENT_ID: "7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8",
            AZURE_TENANT_ID: tenantId,
            ACTIONS_ID_TOKEN_REQUEST_URL: url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_TOKEN,
        }),
        request: ["GET", `Bearer ${GITHUB_TOKEN}`, { "api-version": "2.0", audience: "api://AzureADTokenExchange" }],
        choice:
            "info: [runtime] cloudpc: signing in with workload identity federation (OIDC): " +
            "useOidc from env ARM_USE_OIDC, oidcRequestUrl from env ACTIONS_ID_TOKEN_REQUEST_URL, " +
            "oidcRequestToken from env ACTIONS_ID_TOKEN_REQUEST_TOKEN, oidcAudience from its default, " +
            "tenantId from env AZURE_TENANT_ID, clientId from env AZURE_CLIENT_ID.",
        refusal: [/OIDC token endpoint https:\/\/127\.0\.0\.1:\d+\/_apis\/\S+ answered 401/, /id-token: write/],
    },
    {
        name: "Azure DevOps (AzurePipelinesCredential, a service connection)",
        clientId: "5d2c4b6a-8e1f-4a3b-9c7d-2e4f6a8b0c1d",
        issuer: "https://vstoken.dev.azure.com/6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        secret: ADO_TOKEN,
        endpoint: {
            dialect: "azurePipelines",
            subject: "sc://contoso/cloudpc/prod-arm",
            lifetimeSeconds: 2,
            serviceConnectionId: SERVICE_CONNECTION,
        },
        // An AzureCLI@2 step that maps SYSTEM_ACCESSTOKEN; the Azure SDK's own log on (checked for the token too).
        env: (url, tenantId) => ({
            ARM_USE_OIDC: "true",
            AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: SERVICE_CONNECTION,
            AZURESUBSCRIPTION_CLIENT_ID: "5d2c4b6a-8e1f-4a3b-9c7d-2e4f6a8b0c1d",
            AZURESUBSCRIPTION_TENANT_ID: tenantId,
            SYSTEM_ACCESSTOKEN: ADO_TOKEN,
            SYSTEM_OIDCREQUESTURI: url,
            AZURE_LOG_LEVEL: "info",
        }),
        sdkLog: /AzurePipelinesCredential/,
        request: ["POST", `Bearer ${ADO_TOKEN}`, { "api-version": "7.1", serviceConnectionId: SERVICE_CONNECTION }],
        choice:
            "info: [runtime] cloudpc: signing in with an Azure DevOps service connection (workload identity " +
            "federation): useOidc from env ARM_USE_OIDC, adoServiceConnectionId from env " +
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, adoSystemAccessToken from env SYSTEM_ACCESSTOKEN, " +
            "tenantId from env AZURESUBSCRIPTION_TENANT_ID, clientId from env AZURESUBSCRIPTION_CLIENT_ID.",
        refusal: [
            new RegExp(`Azure DevOps did not issue an ID token for service connection ${SERVICE_CONNECTION}`),
            /maps `SYSTEM_ACCESSTOKEN: \$\(System\.AccessToken\)`/,
            /Status code: 401/,
        ],
    },
];

for (const d of DIALECTS) {
    describe(`CI sign-in with no token file: ${d.name}`, function () {
        this.timeout(90_000);
        let emulator: Emulator;
        let ci: CiIdTokenEndpoint;
        let sink: EngineLogSink;
        const providers: DynamicProviderProcess[] = [];

        before(async () => {
            emulator = await startEmulator({
                importDurationMs: 2_500,
                tokenLifetimeSeconds: 1,
                clients: [{ clientId: d.clientId, federatedIssuer: d.issuer }],
            });
            ci = await startCiIdTokenEndpoint({ ...d.endpoint, requestToken: d.secret, issuer: d.issuer });
            sink = await startEngineLogSink();
        });
        after(async () => {
            for (const p of providers) await p.close();
            await sink?.close();
            await ci?.close();
            await emulator?.close();
        });

        async function provider(): Promise<MiniEngine> {
            const proc = await DynamicProviderProcess.start({
                engineAddress: sink.address,
                env: {
                    ...NOTHING_ELSE,
                    ...d.env(ci.url, emulator.tenantId),
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

        it("imports across access-token expiry, asking the CI for a fresh ID token at each sign-in", async () => {
            const engine = await provider();
            await engine.up([{ name: "ci", inputs: inputs() }]);
            assert.equal(engine.state.get("ci")!.outputs.importStatus, "succeeded");

            assert.ok(ci.requests.length >= 2, `the CI was asked ${ci.requests.length} time(s)`);
            for (const r of ci.requests) assert.deepEqual([r.method, r.authorization, r.query], d.request);
            assert.equal(new Set(ci.issued.map((t) => t.jwt)).size, ci.issued.length);
            // Several sign-ins, each with an ID token of its own (MSAL may ask for one more than once per sign-in).
            assert.ok(emulator.issuedTokens().length >= 2, "the import did not outlive its first access token");
            assert.ok(ci.issued.length >= emulator.issuedTokens().length, "a sign-in reused an ID token");
            const logged = everythingLogged();
            if (d.sdkLog) assert.match(logged, d.sdkLog, "the Azure SDK's log was not captured");
            assert.ok(!logged.includes(d.secret), "the CI's token reached a log");
            // Which credential, and where its settings came from: once, without values.
            const output = [...providers[0]!.stdout, ...providers[0]!.stderr].join("");
            assert.deepEqual(
                output.split("\n").filter((m) => /signing in with/.test(m)),
                [d.choice],
            );
        });

        it("names the refusal and the fix, without the CI's token, when the CI answers 401", async () => {
            ci.deny = true;
            const asked = ci.requests.length;
            const engine = await provider();
            const err = await engine.up([{ name: "denied", inputs: inputs() }]).then(
                () => assert.fail("the import succeeded without an ID token"),
                (e: unknown) => e as Error,
            );
            assert.ok(ci.requests.length > asked, "the CI was not asked");
            for (const pattern of d.refusal) assert.match(err.message, pattern);
            assert.ok(!err.message.includes(d.secret), "the CI's token is in the error");
            assert.ok(!everythingLogged().includes(d.secret), "the CI's token reached a log");
        });
    });
}
