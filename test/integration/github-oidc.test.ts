// GitHub Actions OIDC with no token file: the provider asks the runner's ID-token endpoint (a local HTTPS stand-in
// here) for a fresh ID token each time it needs an Entra token, and the emulator's authority takes it as a
// federated client assertion. Access tokens live one second, so one import spans several sign-ins. The runner's
// request token is a secret: it must not reach logs, the engine's log service or errors (also when the runner
// refuses it).
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startCiIdTokenEndpoint, type CiIdTokenEndpoint } from "../harness/ci-id-token-endpoint";
import { startEngineLogSink } from "../harness/engine-log-sink";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine } from "../harness/engine";
import { inputs } from "../fixtures";

const FEDERATED_CLIENT = "7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8";
const ISSUER = "https://token.actions.githubusercontent.com";
const REQUEST_TOKEN = `CanaryRequestToken${randomBytes(12).toString("hex")}`;

describe("GitHub Actions OIDC: ID tokens asked of the runner, no token file", function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let runner: CiIdTokenEndpoint;
    let sink: Awaited<ReturnType<typeof startEngineLogSink>>;
    const providers: DynamicProviderProcess[] = [];

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 2_500,
            tokenLifetimeSeconds: 1,
            clients: [{ clientId: FEDERATED_CLIENT, federatedIssuer: ISSUER }],
        });
        runner = await startCiIdTokenEndpoint({
            dialect: "github",
            requestToken: REQUEST_TOKEN,
            issuer: ISSUER,
            subject: "repo:contoso/cloudpc:ref:refs/heads/main",
            lifetimeSeconds: 2,
        });
        sink = await startEngineLogSink();
    });
    after(async () => {
        for (const p of providers) await p.close();
        await sink?.close();
        await runner?.close();
        await emulator?.close();
    });

    /** A provider process with the environment a GitHub job with `id-token: write` and the two-line setup has. */
    async function provider(): Promise<MiniEngine> {
        const proc = await DynamicProviderProcess.start({
            engineAddress: sink.address,
            env: {
                ARM_USE_OIDC: "true",
                AZURE_CLIENT_ID: FEDERATED_CLIENT,
                AZURE_TENANT_ID: emulator.tenantId,
                ACTIONS_ID_TOKEN_REQUEST_URL: runner.url,
                ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
                AZURE_CLIENT_SECRET: "",
                ARM_CLIENT_SECRET: "",
                AZURE_FEDERATED_TOKEN_FILE: "",
                ARM_OIDC_TOKEN: "",
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

    it("imports across access-token expiry, asking the runner for a fresh ID token at each sign-in", async () => {
        const engine = await provider();
        await engine.up([{ name: "ci", inputs: inputs() }]);
        assert.equal(engine.state.get("ci")!.outputs.importStatus, "succeeded");

        assert.ok(
            runner.requests.length >= 2,
            `the runner was asked ${runner.requests.length} time(s); access tokens expired during the import`,
        );
        for (const r of runner.requests) {
            assert.deepEqual(
                [r.method, r.authorization, r.query],
                ["GET", `Bearer ${REQUEST_TOKEN}`, { "api-version": "2.0", audience: "api://AzureADTokenExchange" }],
            );
        }
        assert.equal(new Set(runner.issued.map((t) => t.jwt)).size, runner.issued.length);
        // Several sign-ins, each with an ID token of its own (MSAL may ask its callback more than once per sign-in).
        assert.ok(emulator.issuedTokens().length >= 2, "the import did not outlive its first access token");
        assert.ok(runner.issued.length >= emulator.issuedTokens().length, "a sign-in reused an ID token");
        assert.ok(!everythingLogged().includes(REQUEST_TOKEN), "the request token reached a log");
        // Which credential, and where its settings came from: once, without values (in the process's output here).
        const output = [...providers[0]!.stdout, ...providers[0]!.stderr].join("");
        const choice = output.split("\n").filter((m) => /signing in with/.test(m));
        assert.deepEqual(choice, [
            "info: [runtime] cloudpc: signing in with workload identity federation (OIDC): " +
                "useOidc from env ARM_USE_OIDC, oidcRequestUrl from env ACTIONS_ID_TOKEN_REQUEST_URL, " +
                "oidcRequestToken from env ACTIONS_ID_TOKEN_REQUEST_TOKEN, oidcAudience from its default, " +
                "tenantId from env AZURE_TENANT_ID, clientId from env AZURE_CLIENT_ID.",
        ]);
    });

    it("names the refusal without the request token when the runner answers 401", async () => {
        runner.deny = true;
        const asked = runner.requests.length;
        const engine = await provider();
        const err = await engine.up([{ name: "denied", inputs: inputs() }]).then(
            () => assert.fail("the import succeeded without an ID token"),
            (e: unknown) => e as Error,
        );
        assert.ok(runner.requests.length > asked, "the runner was not asked");
        assert.match(err.message, /OIDC token endpoint https:\/\/127\.0\.0\.1:\d+\/_apis\/\S+ answered 401/);
        assert.match(err.message, /id-token: write/);
        assert.ok(!err.message.includes(REQUEST_TOKEN), "the request token is in the error");
        assert.ok(!everythingLogged().includes(REQUEST_TOKEN), "the request token reached a log");
    });
});
