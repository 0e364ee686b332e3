// The examples are product: users copy them into their stacks and pipelines. These tests run them:
//   - fleet: add / change / remove a line through the engine-level harness (the file → resource args mapping
//     itself: test/unit/fleet-file.test.ts)
//     (MiniEngine + @pulumi/pulumi's real dynamic-provider gRPC server) against the Graph emulator;
//   - github-actions, azure-devops: the pipeline's shape (OIDC, no stored secret, no token file), and its environment
//     signing the provider in end to end (a local stand-in for the CI's ID-token endpoint, the emulator's federated
//     client);
//   - azure-storage, sas-url, fleet programs: run under Pulumi's mocks, to check their wiring (the storage account
//     Windows 365 documents, the SAS the stack signs) and that the SAS URL stays secret.
// The examples that need no cloud (quickstart, fleet, github-actions' program) also run through the real CLI
// against the emulator: test/e2e/e2e-examples.test.ts and test/e2e/e2e-fleet.test.ts.
// Type-checking every example is scripts/check-examples.sh (a step of scripts/test.sh).
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { startEmulator, type Emulator } from "../../emulator";
import { fleetImports } from "../../examples/fleet/fleet";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, PROVIDER_KEY, serializeProvider, type Props } from "../harness/dynamic-provider";
import { MiniEngine, type Desired } from "../harness/engine";
import { importOutsidePulumi } from "../harness/outside-pulumi";
import { startCiIdTokenEndpoint, type CiIdTokenEndpoint } from "../harness/ci-id-token-endpoint";
import { inputs, OTHER_USER, SAS_SIG, STORAGE_ACCOUNT_ID, USER } from "../fixtures";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLES = path.join(ROOT, "examples");
const THIRD_USER = "c0ffee00-1234-4abc-8def-0123456789ab";

function fleetFile(users: Record<string, string>): string {
    return [
        "# test fleet",
        `storageAccountId: ${STORAGE_ACCOUNT_ID}`,
        "containerName: vhds",
        "users:",
        ...Object.entries(users).map(([user, blob]) => `  ${user}: ${blob}   # a comment`),
        "",
    ].join("\n");
}

function desiredFrom(text: string): Desired[] {
    return fleetImports(text).map(({ name, args }) => ({ name, inputs: args as unknown as Props }));
}

describe("examples: fleet through the engine-level harness (one line, one step)", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let provider: DynamicProviderProcess;
    let engine: MiniEngine;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300 });
        provider = await DynamicProviderProcess.start({
            env: { ...emulator.env(), CLOUDPC_POLL_INTERVAL_SECONDS: "0.1" },
        });
        await provider.configure({});
        engine = new MiniEngine(provider, await serializeProvider(new CloudPcImportedSnapshotProvider()));
    });
    after(async () => {
        await provider?.close();
        await emulator?.close();
    });

    /** `pulumi preview` (no Graph write) then `pulumi up` of a fleet file; the Graph writes of the up. */
    async function apply(users: Record<string, string>) {
        const desired = desiredFrom(fleetFile(users));
        emulator.resetStats();
        const plan = await engine.preview(desired);
        assert.equal(emulator.stats().writes, 0, "preview wrote to Graph");
        const steps = await engine.up(desired);
        const routes = emulator.stats().byRoute;
        return {
            plan,
            steps,
            imports: routes["POST importSnapshot"] ?? 0,
            purges: routes["POST purgeImportedSnapshot"] ?? 0,
        };
    }
    const ops = (steps: { op: string; name: string }[]) =>
        steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`);

    it("adds, changes and removes lines: exactly one import, one replacement (delete first), one purge", async () => {
        const first = await apply({ [USER]: "alice-os.vhd", [OTHER_USER]: "bob-os.vhd" });
        assert.deepEqual(ops(first.steps), [`create ${USER}`, `create ${OTHER_USER}`]);
        assert.equal(first.imports, 2);

        // A new line: one create, nothing else touched.
        const added = await apply({ [USER]: "alice-os.vhd", [OTHER_USER]: "bob-os.vhd", [THIRD_USER]: "carol-os.vhd" });
        assert.deepEqual(ops(added.plan), [`create ${THIRD_USER}`]);
        assert.deepEqual(ops(added.steps), [`create ${THIRD_USER}`]);
        assert.deepEqual([added.imports, added.purges], [1, 0]);

        // A changed blob: that user's import is replaced, the old one purged before the new one is imported.
        const bobBefore = engine.state.get(OTHER_USER)!.id;
        const changed = await apply({
            [USER]: "alice-os.vhd",
            [OTHER_USER]: "bob-os-v2.vhd",
            [THIRD_USER]: "carol-os.vhd",
        });
        assert.deepEqual(ops(changed.plan), [`replace ${OTHER_USER}`]);
        assert.deepEqual(ops(changed.steps), [`delete ${OTHER_USER}`, `create ${OTHER_USER}`, `replace ${OTHER_USER}`]);
        assert.deepEqual([changed.imports, changed.purges], [1, 1]);
        assert.equal(emulator.imports.get(bobBefore), undefined, "the old import is purged");
        assert.deepEqual(
            emulator.imports.byUser(OTHER_USER).map((i) => i.snapshotId),
            [engine.state.get(OTHER_USER)!.id],
        );
        assert.equal(engine.state.get(OTHER_USER)!.outputs.importStatus, "succeeded");

        // A removed line: one purge.
        const aliceId = engine.state.get(USER)!.id;
        const removed = await apply({ [OTHER_USER]: "bob-os-v2.vhd", [THIRD_USER]: "carol-os.vhd" });
        assert.deepEqual(ops(removed.plan), [`delete ${USER}`]);
        assert.deepEqual(ops(removed.steps), [`delete ${USER}`]);
        assert.deepEqual([removed.imports, removed.purges], [0, 1]);
        assert.equal(emulator.imports.get(aliceId), undefined);
        assert.equal(emulator.imports.byUser(USER).length, 0);

        // The same file again: nothing.
        const same = await apply({ [OTHER_USER]: "bob-os-v2.vhd", [THIRD_USER]: "carol-os.vhd" });
        assert.deepEqual(ops(same.steps), []);
        assert.equal(emulator.stats().writes, 0);

        await engine.destroy();
        assert.equal(emulator.imports.list().length, 0);
    });

    it("a line with adoptSnapshotId takes over the user's existing import: no importSnapshot, and later no change", async () => {
        const existing = await importOutsidePulumi(emulator, USER, "alice-portal.vhd");
        const line = (value: string) =>
            fleetFile({ [USER]: "alice-os.vhd" }).replace(
                `  ${USER}: alice-os.vhd   # a comment`,
                `  ${USER}:${value}`,
            );
        const run = async (text: string) => {
            emulator.resetStats();
            const steps = await engine.up(desiredFrom(text));
            return { steps: ops(steps), writes: emulator.stats().writes };
        };

        const adopted = await run(line(`\n    blob: alice-os.vhd\n    adoptSnapshotId: ${existing}`));
        assert.deepEqual(adopted, { steps: [`create ${USER}`], writes: 0 });
        assert.equal(engine.state.get(USER)!.id, existing);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((i) => i.snapshotId),
            [existing],
            "no second import",
        );

        // Once adopted, the line may go back to the plain form: no step, no Graph write.
        assert.deepEqual(await run(line(" alice-os.vhd")), { steps: [], writes: 0 });

        await engine.destroy();
        assert.equal(emulator.imports.get(existing), undefined, "destroy purges the adopted import");
    });

    it("the checked-in fleet.yaml passes the provider's check", async () => {
        const fresh = new MiniEngine(provider, engine.serializedProvider);
        const plan = await fresh.preview(
            desiredFrom(fs.readFileSync(path.join(EXAMPLES, "fleet", "fleet.yaml"), "utf8")),
        );
        assert.deepEqual(
            plan.map((s) => s.op),
            ["create", "create"],
        );
    });
});

interface Workflow {
    on: Record<string, { branches?: string[] }>;
    permissions: Record<string, string>;
    env: Record<string, string>;
    jobs: Record<
        string,
        {
            if?: string;
            environment?: string;
            permissions?: Record<string, string>;
            steps: { name?: string; uses?: string; run?: string; with?: Record<string, unknown> }[];
        }
    >;
}

describe("examples: github-actions workflow", function () {
    this.timeout(60_000);
    const file = path.join(EXAMPLES, "github-actions", ".github", "workflows", "cloudpc-snapshots.yml");
    const text = fs.readFileSync(file, "utf8");
    const workflow = parseYaml(text) as Workflow;
    const pulumiSteps = (job: string) => workflow.jobs[job]!.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("previews pull requests and deploys main, with OIDC, no stored secret and no token file", () => {
        assert.deepEqual(workflow.permissions, { "id-token": "write", contents: "read" });
        assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "push"]);
        assert.deepEqual(workflow.on.push!.branches, ["main"]);
        assert.deepEqual(
            pulumiSteps("preview").map((s) => s.with?.command),
            ["preview"],
        );
        assert.match(workflow.jobs.preview!.if!, /pull_request/);
        // On main: refresh, then up (an import purged outside Pulumi is imported again).
        assert.deepEqual(
            pulumiSteps("up").map((s) => s.with?.command),
            ["refresh", "up"],
        );
        assert.match(workflow.jobs.up!.if!, /refs\/heads\/main/);
        assert.equal(workflow.env.ARM_USE_OIDC, "true");
        assert.match(workflow.env.AZURE_CLIENT_ID!, /vars\.AZURE_CLIENT_ID/);
        assert.match(workflow.env.AZURE_TENANT_ID!, /vars\.AZURE_TENANT_ID/);
        assert.ok(!/secrets\./.test(text), "the workflow reads a stored secret");
        for (const job of ["preview", "up"]) {
            const uses = workflow.jobs[job]!.steps.map((s) => s.uses ?? s.name ?? "run");
            assert.ok(
                uses.some((u) => u.startsWith("pulumi/auth-actions@")),
                `${job}: no OIDC login to Pulumi Cloud`,
            );
            assert.ok(
                !/AZURE_FEDERATED_TOKEN_FILE|ACTIONS_ID_TOKEN_REQUEST/.test(JSON.stringify(workflow.jobs[job])),
                `${job}: the provider asks the runner itself; no token step is needed`,
            );
        }
    });

    it("comments the preview on the pull request, and only the preview job may write to pull requests", () => {
        assert.equal(pulumiSteps("preview")[0]!.with?.["comment-on-pr"], true);
        assert.equal(
            pulumiSteps("preview")[0]!.with?.["github-token"],
            undefined,
            "the action's default: the run's own GITHUB_TOKEN",
        );
        assert.deepEqual(workflow.jobs.preview!.permissions, {
            "id-token": "write",
            contents: "read",
            "pull-requests": "write",
        });
        assert.equal(workflow.jobs.up!.permissions, undefined, "up keeps the workflow's read-only permissions");
        for (const s of pulumiSteps("up")) assert.equal(s.with?.["comment-on-pr"], undefined);
    });

    it("its shell steps are valid bash", () => {
        for (const [job, def] of Object.entries(workflow.jobs)) {
            for (const step of def.steps.filter((s) => s.run)) {
                const r = spawnSync("bash", ["-n"], { input: step.run, encoding: "utf8" });
                assert.equal(r.status, 0, `${job} / ${step.name ?? step.run}: ${r.stderr}`);
            }
        }
    });

    describe("its environment signs the provider in (emulated GitHub runner and Entra)", () => {
        const FEDERATED_CLIENT = "7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8";
        const ISSUER = "https://token.actions.githubusercontent.com";
        let emulator: Emulator;
        let github: CiIdTokenEndpoint;

        before(async () => {
            emulator = await startEmulator({
                importDurationMs: 300,
                clients: [{ clientId: FEDERATED_CLIENT, federatedIssuer: ISSUER }],
            });
            github = await startCiIdTokenEndpoint({
                dialect: "github",
                requestToken: "request-token",
                issuer: ISSUER,
                subject: "repo:contoso/cloudpc:pull_request",
                lifetimeSeconds: 300,
            });
        });
        after(async () => {
            await github?.close();
            await emulator?.close();
        });

        it("imports and purges with ID tokens asked of the runner", async () => {
            // The workflow's env, with its repository variables filled in, plus what the runner and the emulator set.
            const vars: Record<string, string> = {
                AZURE_CLIENT_ID: FEDERATED_CLIENT,
                AZURE_TENANT_ID: emulator.tenantId,
                AZURE_SUBSCRIPTION_ID: "0231ef39-1113-4772-bffe-26e7d8a15c9e",
                PULUMI_ORG: "contoso",
            };
            const env = Object.fromEntries(
                Object.entries(workflow.env).map(([k, v]) => [
                    k,
                    String(v).replace(/\$\{\{\s*vars\.(\w+)\s*\}\}/g, (_m, name: string) => vars[name] ?? ""),
                ]),
            );
            await importAndPurgeWith(emulator, {
                ...env,
                AZURE_CLIENT_SECRET: "",
                ARM_CLIENT_SECRET: "",
                AZURE_FEDERATED_TOKEN_FILE: "",
                ACTIONS_ID_TOKEN_REQUEST_URL: github.url,
                ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
            });
            assert.ok(github.requests.length >= 1, "the runner was not asked for an ID token");
            for (const r of github.requests) {
                assert.deepEqual(
                    [r.authorization, r.query],
                    ["Bearer request-token", { "api-version": "2.0", audience: "api://AzureADTokenExchange" }],
                );
            }
            assert.ok((emulator.stats().byRoute["POST token"] ?? 0) >= 1, "no token was issued for the assertion");
        });
    });
});

/**
 * A provider process with a CI job's environment (and the emulator's endpoints) signs in, imports one snapshot and
 * purges it; returns what the process printed.
 */
async function importAndPurgeWith(emulator: Emulator, env: Record<string, string>): Promise<string> {
    const provider = await DynamicProviderProcess.start({
        env: {
            ...env,
            CLOUDPC_GRAPH_ENDPOINT: emulator.graphEndpoint,
            CLOUDPC_AUTHORITY_HOST: emulator.authorityHost,
            CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
        },
    });
    try {
        await provider.configure({});
        const engine = new MiniEngine(provider, await serializeProvider(new CloudPcImportedSnapshotProvider()));
        await engine.up([{ name: "ci", inputs: inputs() }]);
        assert.equal(engine.state.get("ci")!.outputs.importStatus, "succeeded");
        await engine.destroy();
        assert.equal(emulator.imports.list().length, 0);
        return [...provider.stdout, ...provider.stderr].join("");
    } finally {
        await provider.close();
    }
}

interface AdoStep {
    task?: string;
    script?: string;
    displayName?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
}

interface AdoPipeline {
    trigger: { branches: { include: string[] } };
    pr: { branches: { include: string[] } };
    variables: Record<string, string>;
    jobs: {
        job?: string;
        deployment?: string;
        condition: string;
        environment?: string;
        steps?: AdoStep[];
        strategy?: { runOnce: { deploy: { steps: AdoStep[] } } };
    }[];
}

describe("examples: azure-devops pipeline", function () {
    this.timeout(60_000);
    const text = fs.readFileSync(path.join(EXAMPLES, "azure-devops", "azure-pipelines.yml"), "utf8");
    const pipeline = parseYaml(text) as AdoPipeline;
    const job = (name: string) => pipeline.jobs.find((j) => (j.job ?? j.deployment) === name)!;
    const steps = (name: string) => job(name).steps ?? job(name).strategy!.runOnce.deploy.steps;
    const pulumiSteps = (name: string) => steps(name).filter((s) => s.task === "AzureCLI@2");

    it("previews pull requests and deploys main through the service connection, no stored secret, no token step", () => {
        assert.deepEqual(pipeline.trigger.branches.include, ["main"]);
        assert.deepEqual(pipeline.pr.branches.include, ["main"]);
        assert.match(job("preview").condition, /Build\.Reason'\], 'PullRequest'/);
        assert.match(job("up").condition, /refs\/heads\/main/);
        assert.equal(job("up").environment, "production");
        const commands = (name: string) =>
            pulumiSteps(name).flatMap((s) => s.inputs!.inlineScript!.match(/pulumi (preview|refresh|up)/g) ?? []);
        assert.deepEqual(commands("preview"), ["pulumi preview"]);
        assert.deepEqual(commands("up"), ["pulumi refresh", "pulumi up"]);
        for (const name of ["preview", "up"]) {
            for (const step of pulumiSteps(name)) {
                assert.equal(step.inputs!.azureSubscription, "${{ variables.serviceConnection }}");
                // The two lines: OIDC on, and the job's access token mapped (Azure Pipelines never maps it itself).
                assert.deepEqual(step.env, { ARM_USE_OIDC: "true", SYSTEM_ACCESSTOKEN: "$(System.AccessToken)" });
            }
        }
        // No stored secret (pipeline secrets are read as $(name) macros; System.AccessToken is the job's own) and
        // no hand-made token request or service principal secret in the environment.
        const macros = new Set(text.match(/\$\((\w|\.)+\)/g));
        assert.deepEqual([...macros].sort(), [
            "$(System.AccessToken)",
            "$(projectDir)",
            "$(stateAccount)",
            "$(stateContainer)",
        ]);
        assert.ok(!/oidctoken|SYSTEM_OIDCREQUESTURI|addSpnToEnvironment|CLIENT_SECRET|PASSPHRASE/i.test(text));
    });

    it("its shell steps are valid bash", () => {
        for (const name of ["preview", "up"]) {
            for (const step of steps(name)) {
                const script = step.script ?? step.inputs?.inlineScript;
                if (!script) continue;
                const r = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
                assert.equal(r.status, 0, `${name} / ${step.displayName ?? script}: ${r.stderr}`);
            }
        }
    });

    describe("its environment signs the provider in (emulated Azure Pipelines and Entra)", () => {
        const FEDERATED_CLIENT = "5d2c4b6a-8e1f-4a3b-9c7d-2e4f6a8b0c1d";
        const ISSUER = "https://vstoken.dev.azure.com/6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
        const CONNECTION = "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
        const ACCESS_TOKEN = "CanaryJobAccessToken-0b6e4f";
        let emulator: Emulator;
        let pipelines: CiIdTokenEndpoint;

        before(async () => {
            emulator = await startEmulator({
                importDurationMs: 300,
                clients: [{ clientId: FEDERATED_CLIENT, federatedIssuer: ISSUER }],
            });
            pipelines = await startCiIdTokenEndpoint({
                dialect: "azurePipelines",
                requestToken: ACCESS_TOKEN,
                issuer: ISSUER,
                subject: "sc://contoso/cloudpc/cloudpc-snapshots",
                lifetimeSeconds: 300,
                serviceConnectionId: CONNECTION,
            });
        });
        after(async () => {
            await pipelines?.close();
            await emulator?.close();
        });

        it("imports and purges with ID tokens asked of Azure DevOps for the service connection", async () => {
            // The up step's env, with $(System.AccessToken) filled in, plus what Azure Pipelines and AzureCLI@2 set.
            const stepEnv = Object.fromEntries(
                Object.entries(pulumiSteps("up")[0]!.env!).map(([k, v]) => [
                    k,
                    v === "$(System.AccessToken)" ? ACCESS_TOKEN : v,
                ]),
            );
            const output = await importAndPurgeWith(emulator, {
                ...stepEnv,
                SYSTEM_OIDCREQUESTURI: pipelines.url,
                AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: CONNECTION,
                AZURESUBSCRIPTION_CLIENT_ID: FEDERATED_CLIENT,
                AZURESUBSCRIPTION_TENANT_ID: emulator.tenantId,
                AZURE_CLIENT_ID: "",
                AZURE_TENANT_ID: "",
                AZURE_CLIENT_SECRET: "",
                ARM_CLIENT_SECRET: "",
                AZURE_FEDERATED_TOKEN_FILE: "",
                ACTIONS_ID_TOKEN_REQUEST_URL: "",
            });
            assert.ok(pipelines.requests.length >= 1, "Azure DevOps was not asked for an ID token");
            for (const r of pipelines.requests) {
                assert.deepEqual(
                    [r.method, r.authorization, r.query],
                    ["POST", `Bearer ${ACCESS_TOKEN}`, { "api-version": "7.1", serviceConnectionId: CONNECTION }],
                );
            }
            assert.ok(!output.includes(ACCESS_TOKEN));
        });
    });
});

interface MockRun {
    resources: { type: string; name: string; inputs: Record<string, any> }[];
    calls: { token: string; inputs: Record<string, any> }[];
    outputs: Record<string, unknown>;
    secretOutputs: string[];
}

/**
 * Runs an example program under Pulumi's mocks in a child process (the SDK's runtime is process-wide state):
 * every registration is recorded, with secrets still wrapped; Azure resources get ARM-shaped ids.
 */
function runWithMocks(example: string, config: Record<string, string>, secretKeys: string[] = []): Promise<MockRun> {
    const project = (
        parseYaml(fs.readFileSync(path.join(EXAMPLES, example, "Pulumi.yaml"), "utf8")) as { name: string }
    ).name;
    const script = `
        const pulumi = require("@pulumi/pulumi");
        const resources = [], calls = [];
        const rg = "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/cloudpc-snapshots";
        const armId = (type, name) => ({
            "azure-native:resources:ResourceGroup": rg,
            "azure-native:storage:StorageAccount": rg + "/providers/Microsoft.Storage/storageAccounts/" + name,
            "azure-native:storage:BlobContainer": rg + "/providers/Microsoft.Storage/storageAccounts/cloudpcvhds/blobServices/default/containers/" + name,
        })[type] ?? name + "-id";
        pulumi.runtime.setAllConfig(${JSON.stringify(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])))}, ${JSON.stringify(secretKeys.map((k) => `${project}:${k}`))});
        pulumi.runtime.setMocks({
            async newResource(args) {
                const plain = async (v) => v instanceof pulumi.asset.FileAsset ? { fileAsset: await v.path }
                    : Array.isArray(v) ? Promise.all(v.map(plain))
                    : v && typeof v === "object" ? Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await plain(x)]))) : v;
                resources.push({ type: args.type, name: args.name, inputs: await plain(args.inputs) });
                const name = args.inputs.blobName ?? args.name;
                return { id: armId(args.type, args.name), state: { ...args.inputs, name, url: "https://cloudpcvhds.blob.core.windows.net/vhds/" + name } };
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs });
                if (args.token === "azure-native:authorization:getClientConfig") return { subscriptionId: "0231ef39-1113-4772-bffe-26e7d8a15c9e", tenantId: "t", clientId: "c", objectId: "o" };
                if (args.token === "azure-native:storage:getStorageAccount") return { primaryEndpoints: { blob: "https://" + args.inputs.accountName + ".blob.core.windows.net/" } };
                if (args.token === "azure-native:storage:listStorageAccountServiceSAS") {
                    return { serviceSasToken: "sv=2022-11-02&sr=b&sp=r&spr=https&se=" + encodeURIComponent(args.inputs.sharedAccessExpiryTime) + "&sig=" + ${JSON.stringify(SAS_SIG)} };
                }
                throw new Error("unexpected invoke " + args.token);
            },
        }, ${JSON.stringify(project)}, "test", false).then(async () => {
            const program = require(${JSON.stringify(path.join(EXAMPLES, example, "index.ts"))});
            const outputs = {}, secretOutputs = [];
            const resolve = async (v) => pulumi.Output.isInstance(v) ? resolve(await v.promise()) : Array.isArray(v) ? Promise.all(v.map(resolve))
                : v && typeof v === "object" ? Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolve(x)]))) : v;
            for (const [k, v] of Object.entries(program)) {
                if (pulumi.Output.isInstance(v) && await pulumi.isSecret(v)) secretOutputs.push(k);
                outputs[k] = (await resolve(v)) ?? null;
            }
            await new Promise((r) => setTimeout(r, 50));
            process.stdout.write(JSON.stringify({ resources, calls, outputs, secretOutputs }));
        }).catch((e) => { console.error(e); process.exit(1); });`;
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "",
            err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            if (code !== 0) return reject(new Error(`${example} under mocks exited ${code}:\n${err}`));
            try {
                resolve(JSON.parse(out) as MockRun);
            } catch (e) {
                reject(new Error(`${example}: ${String(e)}\n${out}\n${err}`));
            }
        });
    });
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const isSecretValue = (v: unknown) =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;

describe("examples: programs under Pulumi's mocks", function () {
    this.timeout(60_000);
    let runs: Promise<[MockRun, MockRun, MockRun]>;
    let started: number;

    before(() => {
        started = Date.now();
        // The three children start together (each compiles the provider with ts-node).
        runs = Promise.all([
            runWithMocks("azure-storage", {
                assignedUserId: USER,
                blobName: "alice-os.vhd",
                windows365PrincipalId: OTHER_USER,
            }),
            runWithMocks("sas-url", {
                assignedUserId: USER,
                resourceGroupName: "rg-cloudpc",
                storageAccountName: "cloudpcvhds",
                blobName: "alice-os.vhd",
                sasValidHours: "48",
            }),
            runWithMocks("fleet", {}),
        ]);
        runs.catch(() => undefined);
    });

    it("azure-storage: the account is what Windows 365 documents for a restore point's destination, and feeds the import", async () => {
        const [run] = await runs;
        const byType = (t: string) => run.resources.filter((r) => r.type === t);
        // "Place a Cloud PC under review": Premium page blobs, TLS 1.2, public access from all networks, no copy scope.
        const account = byType("azure-native:storage:StorageAccount")[0]!;
        assert.equal(account.inputs.kind, "StorageV2");
        assert.deepEqual(account.inputs.sku, { name: "Premium_LRS" });
        assert.equal(account.inputs.minimumTlsVersion, "TLS1_2");
        assert.equal(account.inputs.publicNetworkAccess, "Enabled");
        assert.equal(account.inputs.networkRuleSet?.defaultAction, "Allow");
        assert.equal(account.inputs.allowedCopyScope, undefined);
        assert.equal(account.inputs.allowBlobPublicAccess, false);
        assert.equal(byType("azure-native:storage:BlobContainer")[0]!.inputs.publicAccess, "None");
        // No Blob resource: the VHD is uploaded out of band, never hashed as an asset on a preview.
        assert.deepEqual(byType("azure-native:storage:Blob"), []);
        // The Windows 365 service principal holds Storage Account Contributor and Storage Blob Data Contributor on it.
        const accountId =
            "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/cloudpc-snapshots/providers/Microsoft.Storage/storageAccounts/cloudpcvhds";
        const grants = byType("azure-native:authorization:RoleAssignment").map((r) => r.inputs);
        assert.deepEqual(grants.map((g) => g.roleDefinitionId.split("/").pop()).sort(), [
            "17d1049b-9a84-46fb-8f53-869881c3d3ab",
            "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ]);
        for (const g of grants) {
            assert.equal(g.principalId, OTHER_USER);
            assert.equal(g.principalType, "ServicePrincipal");
            assert.equal(g.scope, accountId);
        }
        const snap = byType("pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot")[0]!;
        assert.equal(snap.inputs.assignedUserId, USER);
        assert.deepEqual(snap.inputs.sourceFiles, [
            { storageBlobInfo: { storageAccountId: accountId, containerName: "vhds", fileName: "alice-os.vhd" } },
        ]);
        assert.equal(run.outputs.storageAccountId, accountId);
    });

    it("sas-url: the stack signs a read-only, blob-scoped, https-only SAS with an expiry, for the configured blob", async () => {
        const [, run] = await runs;
        const requests = run.calls.filter((c) => c.token === "azure-native:storage:listStorageAccountServiceSAS");
        assert.equal(requests.length, 1);
        const { sharedAccessExpiryTime, ...request } = requests[0]!.inputs;
        assert.deepEqual(request, {
            resourceGroupName: "rg-cloudpc",
            accountName: "cloudpcvhds",
            canonicalizedResource: "/blob/cloudpcvhds/vhds/alice-os.vhd",
            resource: "b",
            permissions: "r",
            protocols: "https",
        });
        // sasValidHours (48) after the program ran, which was after `started` and before now.
        const expiry = Date.parse(sharedAccessExpiryTime);
        const hours = 3_600_000;
        assert.ok(
            expiry >= started + 48 * hours && expiry <= Date.now() + 48 * hours,
            `expiry ${sharedAccessExpiryTime}`,
        );
        const snap = run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot")!;
        assert.ok(
            JSON.stringify(snap.inputs.sourceFiles).includes(
                `"https://cloudpcvhds.blob.core.windows.net/vhds/alice-os.vhd?sv=2022-11-02&sr=b&sp=r`,
            ),
            "the URL is the account's blob endpoint, the blob's path and the signed token",
        );
    });

    it("sas-url: the URL reaches the resource only as a secret and no output carries it", async () => {
        const [, run] = await runs;
        const snap = run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot")!;
        const files = snap.inputs.sourceFiles;
        // The whole sourceFiles input is a secret (the engine encrypts it in state); inside it, the URL itself.
        assert.ok(isSecretValue(files), `sourceFiles is not secret: ${JSON.stringify(files)}`);
        assert.ok(JSON.stringify(files).includes(SAS_SIG));
        const { [PROVIDER_KEY]: _provider, sourceFiles: _files, ...rest } = snap.inputs;
        assert.ok(!JSON.stringify(rest).includes(SAS_SIG), "the signature in a plain input");
        assert.ok(!JSON.stringify(run.outputs).includes(SAS_SIG), "an output carries the signature");
        assert.deepEqual(Object.keys(run.outputs).sort(), ["importStatus", "snapshotId"]);
    });

    it("fleet: one import per line of the checked-in fleet.yaml", async () => {
        const [, , run] = await runs;
        const snaps = run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot");
        assert.deepEqual(
            snaps.map((r) => r.name),
            [USER, OTHER_USER],
        );
        assert.deepEqual(
            snaps.map((r) => r.inputs.sourceFiles[0].storageBlobInfo.fileName),
            ["alice-os.vhd", "bob-os.vhd"],
        );
        assert.equal(run.outputs.count, 2);
        assert.deepEqual(Object.keys(run.outputs.fleet as object), [USER, OTHER_USER]);
    });
});
