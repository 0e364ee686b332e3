// The examples that need no cloud but Graph, as a user runs them: the real `pulumi` CLI with the Node.js language
// host, each example's own folder (its Pulumi.yaml and index.ts), against the Graph emulator: `up` imports,
// `preview --expect-no-changes` and a second `up` change nothing and write nothing to Graph, `destroy` purges.
// The fleet example has its own file (test/e2e/e2e-fleet.test.ts); azure-storage and sas-url need Azure Resource
// Manager and run under Pulumi's mocks (test/integration/examples.test.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type ConfigMap, type PulumiCommand } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { provisionedPulumi, providerConfig, REPO_ROOT, isolatedStackEnv } from "../../scripts/pulumi/automation";
import { STORAGE_ACCOUNT_ID, USER } from "../fixtures";

const STACK = "e2e-examples";

/** Each example, with the stack config its program needs beyond the provider's. */
const EXAMPLES: { name: string; config: ConfigMap }[] = [
    { name: "quickstart", config: {} }, // every value has a default
    {
        name: "github-actions",
        config: {
            assignedUserId: { value: USER },
            storageAccountId: { value: STORAGE_ACCOUNT_ID },
            containerName: { value: "vhds" },
            blobName: { value: "alice-os.vhd" },
        },
    },
];

describe("e2e: examples run from their own folders with the real Pulumi CLI and language host", function () {
    this.timeout(240_000);
    let pulumiCommand: PulumiCommand;
    let emulator: Emulator;
    let scratch: string;

    before(async function () {
        pulumiCommand = await provisionedPulumi();
        emulator = await startEmulator({ importDurationMs: 300 });
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-examples-"));
        fs.mkdirSync(path.join(scratch, "backend"));
    });

    after(async function () {
        await emulator?.close();
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    for (const example of EXAMPLES) {
        it(`${example.name}: up imports, a second up and preview change nothing, destroy purges`, async () => {
            const workDir = path.join(REPO_ROOT, "examples", example.name);
            const stack = await LocalWorkspace.createOrSelectStack(
                { workDir, stackName: STACK },
                {
                    pulumiCommand,
                    envVars: isolatedStackEnv(path.join(scratch, "backend"), {
                        NODE_OPTIONS: "--disable-warning=ExperimentalWarning",
                        // Type-checked by scripts/check-examples.sh; here ts-node only transpiles (faster).
                        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                    }),
                },
            );
            try {
                await stack.setAllConfig({ ...providerConfig(emulator), ...example.config });
                emulator.resetStats();
                const up = await stack.up();
                assert.equal(up.summary.result, "succeeded");
                assert.equal(up.outputs.importStatus!.value, "succeeded");
                assert.equal(emulator.stats().byRoute["POST importSnapshot"], 1);
                assert.deepEqual(
                    emulator.imports.byUser(USER).map((i) => i.snapshotId),
                    [up.outputs.snapshotId!.value],
                );

                emulator.resetStats();
                const preview = await stack.preview({ expectNoChanges: true });
                assert.deepEqual(
                    Object.keys(preview.changeSummary).filter((k) => k !== "same"),
                    [],
                );
                const again = await stack.up({ expectNoChanges: true });
                assert.deepEqual(
                    Object.keys(again.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
                    [],
                );
                assert.equal(emulator.stats().writes, 0, "a run with no changes wrote to Graph");

                await stack.destroy();
                assert.equal(emulator.imports.list().length, 0);
            } finally {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack(STACK).catch(() => undefined);
                fs.rmSync(path.join(workDir, `Pulumi.${STACK}.yaml`), { force: true });
            }
        });
    }
});
