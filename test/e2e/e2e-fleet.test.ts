// The fleet example (examples/fleet/) as a user runs it: the real `pulumi` CLI with the Node.js language host, the
// example's own Pulumi.yaml and index.ts (a local program, not an inline one), against the Graph emulator. Each
// edit of the fleet file must do exactly the one import, replacement or purge it says, and a line with
// adoptSnapshotId adopts the user's existing import.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import {
    provisionedPulumi,
    providerConfig,
    REPO_ROOT,
    stepEvents,
    isolatedStackEnv,
} from "../../scripts/pulumi/automation";
import { OTHER_USER, STORAGE_ACCOUNT_ID, USER } from "../fixtures";
import { importOutsidePulumi } from "../harness/outside-pulumi";

const THIRD_USER = "c0ffee00-1234-4abc-8def-0123456789ab";
const FLEET_DIR = path.join(REPO_ROOT, "examples", "fleet");
const STACK = "e2e-fleet";

function fleetYaml(users: Record<string, string>): string {
    const lines = Object.entries(users).map(([user, blob]) => `  ${user}: ${blob}`);
    return `storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\nusers:\n${lines.join("\n")}\n`;
}

describe("e2e: examples/fleet with the real Pulumi CLI and language host (one line, one step)", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    let stack: Stack;
    let scratch: string;
    let fleetFile: string;

    before(async function () {
        const pulumiCommand = await provisionedPulumi();
        emulator = await startEmulator({ importDurationMs: 300 });
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-fleet-"));
        fleetFile = path.join(scratch, "fleet.yaml");
        fs.mkdirSync(path.join(scratch, "backend"));
        stack = await LocalWorkspace.createOrSelectStack(
            { workDir: FLEET_DIR, stackName: STACK },
            {
                pulumiCommand,
                envVars: isolatedStackEnv(path.join(scratch, "backend"), {
                    NODE_OPTIONS: "--disable-warning=ExperimentalWarning",
                    // The program is type-checked by scripts/check-examples.sh; here ts-node only transpiles (faster).
                    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                }),
            },
        );
        // The stack's own settings file lands in the example's folder; it is removed in after().
        await stack.setAllConfig({ ...providerConfig(emulator), fleetFile: { value: fleetFile } });
    });

    after(async function () {
        try {
            if (stack) {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack(STACK).catch(() => undefined);
            }
        } finally {
            fs.rmSync(path.join(FLEET_DIR, `Pulumi.${STACK}.yaml`), { force: true });
            await emulator?.close();
            if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    /** `pulumi preview` (must write nothing to Graph), then `pulumi up`, of the fleet file with these lines. */
    async function apply(users: Record<string, string>) {
        fs.writeFileSync(fleetFile, fleetYaml(users));
        emulator.resetStats();
        const preview = await stack.preview();
        assert.equal(emulator.stats().writes, 0, "preview wrote to Graph");
        const events: EngineEvent[] = [];
        const up = await stack.up({ onEvent: (e) => events.push(e) });
        const routes = emulator.stats().byRoute;
        const steps = stepEvents(events)
            .filter((s) => s.phase === "pre" && s.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot")
            .map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`);
        return {
            planned: preview.changeSummary,
            changes: up.summary.resourceChanges,
            steps,
            imports: routes["POST importSnapshot"] ?? 0,
            purges: routes["POST purgeImportedSnapshot"] ?? 0,
            outputs: up.outputs,
        };
    }

    it("a new line imports, a changed blob replaces delete-first, a removed line purges; destroy purges the rest", async () => {
        const first = await apply({ [USER]: "alice-os.vhd", [OTHER_USER]: "bob-os.vhd" });
        assert.deepEqual(first.changes, { create: 3 }); // the stack and two imports
        assert.equal(first.imports, 2);
        assert.equal(first.outputs.count!.value, 2);

        const added = await apply({ [USER]: "alice-os.vhd", [OTHER_USER]: "bob-os.vhd", [THIRD_USER]: "carol-os.vhd" });
        assert.deepEqual(added.planned, { create: 1, same: 3 });
        assert.deepEqual(
            added.steps.filter((s) => !s.startsWith("same")),
            [`create ${THIRD_USER}`],
        );
        assert.deepEqual([added.imports, added.purges], [1, 0]);

        const changed = await apply({
            [USER]: "alice-os.vhd",
            [OTHER_USER]: "bob-os-v2.vhd",
            [THIRD_USER]: "carol-os.vhd",
        });
        assert.deepEqual(changed.planned, { replace: 1, same: 3 });
        const order = (op: string): number => changed.steps.indexOf(`${op} ${OTHER_USER}`);
        assert.ok(
            order("delete-replaced") >= 0 && order("delete-replaced") < order("create-replacement"),
            changed.steps.join(", "),
        );
        assert.deepEqual(
            changed.steps.filter((s) => !s.startsWith("same") && !s.endsWith(OTHER_USER)),
            [],
            "only bob's line changed",
        );
        assert.deepEqual([changed.imports, changed.purges], [1, 1]);
        assert.deepEqual(
            emulator.imports.byUser(OTHER_USER).map((r) => r.filename),
            ["bob-os-v2.vhd"],
        );

        const removed = await apply({ [OTHER_USER]: "bob-os-v2.vhd", [THIRD_USER]: "carol-os.vhd" });
        assert.deepEqual(removed.planned, { delete: 1, same: 3 });
        assert.deepEqual([removed.imports, removed.purges], [0, 1]);
        assert.deepEqual(emulator.imports.byUser(USER), []);
        assert.equal(emulator.imports.list().length, 2);

        await stack.destroy();
        assert.equal(emulator.imports.list().length, 0);
    });

    it("a line with adoptSnapshotId adopts the user's existing import with no Graph write; the plain line then changes nothing", async () => {
        const existing = await importOutsidePulumi(emulator, USER, "alice-portal.vhd");
        fs.writeFileSync(
            fleetFile,
            `storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\nusers:\n` +
                `  ${USER}:\n    blob: alice-os.vhd\n    adoptSnapshotId: ${existing}\n`,
        );
        emulator.resetStats();
        const events: EngineEvent[] = [];
        const up = await stack.up({ onEvent: (e) => events.push(e) });
        const steps = stepEvents(events).filter(
            (s) => s.phase === "pre" && s.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot",
        );
        assert.deepEqual(
            steps.map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`),
            [`create ${USER}`],
        );
        assert.equal(emulator.stats().writes, 0, "adopting wrote to Graph");
        assert.equal((up.outputs.fleet!.value as Record<string, { snapshotId: string }>)[USER]!.snapshotId, existing);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [existing],
        );

        fs.writeFileSync(fleetFile, fleetYaml({ [USER]: "alice-os.vhd" }));
        const preview = await stack.preview();
        assert.deepEqual(preview.changeSummary, { same: 2 });

        await stack.destroy();
        assert.equal(emulator.imports.get(existing), undefined, "destroy purges the adopted import");
    });

    it("a refresh of 30 imports at --parallel 8 costs at most 5 read requests where Graph only reads by id", async () => {
        emulator.setOptions({ dialect: "metadata" });
        const users = Object.fromEntries(
            Array.from({ length: 30 }, (_, i) => [
                `f1ee7000-0000-4000-8000-${(i + 1).toString(16).padStart(12, "0")}`,
                `user${i}-os.vhd`,
            ]),
        );
        fs.writeFileSync(fleetFile, fleetYaml(users));
        await stack.up({ parallel: 8 });
        assert.equal(emulator.imports.list().length, 30);
        emulator.resetStats();
        const refreshed = await stack.refresh({ parallel: 8 });
        assert.equal(refreshed.summary.result, "succeeded");
        const s = emulator.stats();
        const tokens = Object.entries(s.byRoute)
            .filter(([k]) => /token|openid|keys/i.test(k))
            .reduce((n, [, v]) => n + v, 0);
        const reads = s.httpRequests - tokens;
        // One probe of the list function (refused, never asked again), then reads by id, 8 to a $batch at most.
        assert.ok(reads <= 5, `${reads} read requests: ${JSON.stringify(s.byRoute)}`);
        assert.equal(s.byRoute["GET retrieveSnapshotImportResults"], 30, "every import read by id");
        assert.equal(s.writes, 0, "refresh wrote nothing");
        await stack.destroy({ parallel: 8 });
        assert.equal(emulator.imports.list().length, 0);
    });
});
