// A create interrupted by a kill, through the REAL Pulumi CLI (Automation API, as test/e2e/e2e.test.ts) against the
// Graph emulator: importSnapshot reaches Graph (the emulator imports, then holds its answer), the dynamic-provider
// process (or the CLI itself) is SIGKILLed, and `pulumi up` runs again.
//
// What the engine (v3.274) does, checked here: when the provider process dies, the create fails with "error reading
// from server: EOF" and nothing is recorded for the resource; when the CLI dies, the stack stays locked (`pulumi
// cancel`) and the state keeps a pending create, which the next `pulumi up` only warns about. Either way the next
// up calls create again, and Graph answers 409 (one import per user). The provider resolves it from its journal of
// imports not yet in state (provider/runtime/pending-imports.ts): the import is adopted, never made twice. Without
// the journal (another machine) the error names the import and the exact fix, adoptSnapshotId, tested too.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type EngineEvent, type LocalWorkspaceOptions, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { provisionedPulumi, providerConfig, REPO_ROOT } from "../../scripts/pulumi/automation";
import { importsProgram } from "../harness/inline-program";
import { CAN_LIST, inputs, USER } from "../fixtures";

/** The fleet of the kill-only-the-CLI scenario (issue 13): 8 users, 8 imports. */
const FLEET = Array.from({ length: 8 }, (_, i) => `0f6c2a1e-8d4b-4c3a-9e2f-${(i + 1).toString(16).padStart(12, "0")}`);

const DYNAMIC = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot";
const STACK = "e2e-faults";

/** Processes whose environment carries `marker` (ours, started through the CLI we started) and whose command line has `part`. */
function processesWith(marker: string, part: string): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            if (!fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(part)) continue;
            if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker))
                pids.push(Number(entry));
        } catch {
            // gone, or not ours to read
        }
    }
    return pids;
}

async function until(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
    const started = Date.now();
    while (!test()) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

interface Outcome {
    ok: boolean;
    output: string;
    message: string;
    outputs: Record<string, unknown>;
    events: EngineEvent[];
}

describe("e2e: a create killed after importSnapshot was sent, then pulumi up again (real CLI)", function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let stack: Stack;
    let stateHome: string;
    let workspace: LocalWorkspaceOptions;
    const dirs: string[] = [];

    /** A stack of this project, in the same project directory, configured for the emulator. */
    async function stackNamed(name: string): Promise<Stack> {
        const s = await LocalWorkspace.createOrSelectStack(
            { projectName: "cloudpc-e2e-faults", stackName: name, program: importsProgram({}) },
            workspace,
        );
        await s.setAllConfig(providerConfig(emulator));
        return s;
    }
    const marker = `CLOUDPC_E2E_FAULTS_RUN=${randomUUID()}`;

    async function up(resources: Record<string, Record<string, unknown>>, on: Stack = stack): Promise<Outcome> {
        const r: Outcome = { ok: false, output: "", message: "", outputs: {}, events: [] };
        try {
            const result = await on.up({
                program: importsProgram(resources),
                onOutput: (s) => (r.output += s),
                onEvent: (e) => r.events.push(e),
            });
            r.ok = true;
            r.outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
        } catch (err) {
            r.message = (err as Error).message;
        }
        return r;
    }

    async function deployment(): Promise<{
        resources: Array<{ type: string; id?: string; outputs?: Record<string, unknown> }>;
        pending_operations?: Array<{ type: string; resource: { urn: string } }>;
    }> {
        return (await stack.exportStack()).deployment as never;
    }

    /** The provider's pending-import notes: one directory per user, one file per resource and source. */
    const journalEntries = (): Array<{ snapshotId: string | null; owner: { stack: string; urn: string } | null }> => {
        const dir = path.join(stateHome, "cloudpc-pulumi", "pending-imports");
        if (!fs.existsSync(dir)) return [];
        return fs.readdirSync(dir).flatMap((u) =>
            fs
                .readdirSync(path.join(dir, u))
                .filter((f) => f.endsWith(".json"))
                .map((f) => JSON.parse(fs.readFileSync(path.join(dir, u, f), "utf8")) as never),
        );
    };

    /** Starts `pulumi up`, waits until Graph made the import (its answer held back), then kills `victims`. */
    async function upKilledAfterImport(victims: "provider" | "cli"): Promise<{ run: Outcome; importId: string }> {
        emulator.faults.add({ route: "POST importSnapshot", delayMs: 60_000 });
        const running = up({ a: inputs() });
        await until("the import to reach Graph", () => emulator.imports.byUser(USER).length === 1);
        const plugins = processesWith(marker, "dynamic-provider");
        assert.equal(plugins.length, 1, `one dynamic-provider process of ours: ${plugins.join(", ")}`);
        if (victims === "cli") {
            const cli = processesWith(marker, "\0up\0");
            assert.equal(cli.length, 1, `one pulumi up of ours: ${cli.join(", ")}`);
            process.kill(cli[0]!, "SIGKILL");
        }
        process.kill(plugins[0]!, "SIGKILL");
        const run = await running;
        emulator.faults.clear();
        await until("our processes to end", () => processesWith(marker, "dynamic-provider").length === 0, 10_000);
        return { run, importId: emulator.imports.byUser(USER)[0]!.snapshotId };
    }

    /**
     * Where Graph lists no imports (the metadata dialect), an import whose answer never reached the provider cannot
     * be found: the rerun is refused naming the fix, and the fix (adoptSnapshotId) works, with no second import.
     */
    async function refusedThenAdopted(importId: string): Promise<void> {
        const refused = await up({ a: inputs() });
        assert.equal(refused.ok, false);
        const shown = `${refused.output}\n${refused.message}`;
        assert.match(
            shown,
            /already has an imported snapshot .*documents no call that lists a user's imports.*adoptSnapshotId/s,
            shown,
        );
        const adopted = await up({ a: inputs({ adoptSnapshotId: importId }) });
        assert.ok(adopted.ok, adopted.message);
        assert.equal(adopted.outputs.a, importId);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [importId],
            "exactly one import for the user",
        );
    }

    before(async function () {
        const pulumiCommand = await provisionedPulumi();
        emulator = await startEmulator({ importDurationMs: 300 });
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-faults-backend-"));
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-faults-work-"));
        stateHome = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-faults-state-"));
        dirs.push(backend, workDir, stateHome);
        const [markerName, markerValue] = marker.split("=") as [string, string];
        workspace = {
            workDir,
            pulumiCommand,
            envVars: {
                PULUMI_BACKEND_URL: `file://${backend}`,
                PULUMI_CONFIG_PASSPHRASE: "cloudpc-e2e-faults-passphrase",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
                // The provider's journal of imports not yet in state: this run's own directory.
                XDG_STATE_HOME: stateHome,
                // Lets the test find (and kill) exactly the processes of this run, however many tests run at once.
                [markerName]: markerValue,
                AZURE_TENANT_ID: "",
                AZURE_CLIENT_ID: "",
                AZURE_CLIENT_SECRET: "",
                CLOUDPC_GRAPH_ENDPOINT: "",
                CLOUDPC_AUTHORITY_HOST: "",
            },
        };
        stack = await stackNamed(STACK);
        assert.equal(process.cwd(), REPO_ROOT, "run the tests from the repository root (bash scripts/test.sh does)");
    });

    after(async function () {
        try {
            for (const pid of [...processesWith(marker, "dynamic-provider"), ...processesWith(marker, "\0up\0")])
                process.kill(pid, "SIGKILL");
            if (stack) {
                await stack.cancel().catch(() => undefined);
                if ((await deployment()).resources?.some((r) => r.type === DYNAMIC)) await stack.destroy();
                await stack.workspace.removeStack(STACK, { force: true });
            }
        } finally {
            await emulator?.close();
            for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
        }
    });

    beforeEach(async () => {
        if ((await deployment()).resources?.some((r) => r.type === DYNAMIC)) await stack.destroy();
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.resetStats();
    });

    it("the provider process killed: the next up adopts the import Graph made, never a second one", async () => {
        const { run, importId } = await upKilledAfterImport("provider");
        assert.equal(run.ok, false);
        assert.match(`${run.output}\n${run.message}`, /error reading from server: EOF/, run.output);
        assert.ok(
            !(await deployment()).resources.some((r) => r.type === DYNAMIC),
            "the engine recorded nothing for it",
        );
        const left = journalEntries();
        // Graph's answer was held back, so the note has no id: the rerun matches the import by file and start time.
        assert.deepEqual(
            left.map((n) => [n.snapshotId, n.owner?.stack, n.owner?.urn.split("::").pop()]),
            [[null, STACK, "a"]],
            "the killed provider left its note, saying whose it is",
        );
        if (!CAN_LIST) return refusedThenAdopted(importId);

        const again = await up({ a: inputs() });
        assert.ok(again.ok, `${again.message}\n${again.output}`);
        assert.equal(again.outputs.a, importId);
        assert.match(
            again.output,
            new RegExp(`already has import ${importId} of the same file .*stopped before Pulumi recorded it`),
        );
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [importId],
            "exactly one import for the user",
        );
        assert.equal(
            emulator.stats().byRoute["POST importSnapshot"],
            2,
            "the killed run's import, and one answered 409",
        );
        const recorded = (await deployment()).resources.filter((r) => r.type === DYNAMIC);
        assert.deepEqual(
            recorded.map((r) => [r.id, r.outputs?.importStatus]),
            [[importId, "succeeded"]],
        );
        assert.deepEqual(
            journalEntries().map((n) => n.snapshotId),
            [importId],
            "kept until an operation shows the id in state",
        );

        const third = await up({ a: inputs() });
        assert.ok(third.ok);
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 2, "a further up changes nothing");
        assert.deepEqual(journalEntries(), [], "settled by the diff of the next up");
    });

    it("the CLI killed (stack locked, pending create in state): cancel, up adopts the import, refresh --clear-pending-creates tidies", async () => {
        const { run, importId } = await upKilledAfterImport("cli");
        assert.equal(run.ok, false);
        assert.match(run.message, /SIGKILL/);
        const pending = (await deployment()).pending_operations ?? [];
        assert.deepEqual(
            pending.map((p) => [p.type, p.resource.urn.split("::").pop()]),
            [["creating", "a"]],
        );

        await stack.cancel(); // the killed CLI's lock
        if (!CAN_LIST) return refusedThenAdopted(importId);
        const again = await up({ a: inputs() });
        assert.ok(again.ok, `${again.message}\n${again.output}`);
        assert.match(again.output, /1 pending operations from previous deployment/);
        assert.equal(again.outputs.a, importId);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [importId],
        );
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 2);
        const after = await deployment();
        assert.deepEqual(
            after.resources.filter((r) => r.type === DYNAMIC).map((r) => r.id),
            [importId],
        );
        // v3.274 keeps a pending create through a successful up (and warns on every run) until it is cleared.
        assert.equal((after.pending_operations ?? []).length, 1);

        let refreshed = "";
        await stack.refresh({ clearPendingCreates: true, onOutput: (o) => (refreshed += o) });
        const tidy = await deployment();
        assert.deepEqual(tidy.pending_operations ?? [], [], refreshed);
        assert.deepEqual(
            tidy.resources.filter((r) => r.type === DYNAMIC).map((r) => r.id),
            [importId],
            "the adopted import stays",
        );
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 2);
    });

    it("without the journal (the rerun on another machine): the error names the import and the fix, and the fix works", async () => {
        const { importId } = await upKilledAfterImport("provider");
        fs.rmSync(path.join(stateHome, "cloudpc-pulumi"), { recursive: true, force: true });

        const refused = await up({ a: inputs() });
        assert.equal(refused.ok, false);
        const shown = `${refused.output}\n${refused.message}`;
        if (CAN_LIST) {
            assert.match(shown, new RegExp(`already has imported snapshot ${importId}`), shown);
            assert.match(shown, new RegExp(`set adoptSnapshotId: "${importId}"`));
        } else {
            // Graph lists no imports: the error says so and how to adopt the id from the killed run's log.
            assert.match(
                shown,
                /already has an imported snapshot .*documents no call that lists a user's imports/s,
                shown,
            );
            assert.match(shown, /adoptSnapshotId/);
        }
        assert.match(shown, /HTTP 409 Conflict/);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [importId],
        );

        const adopted = await up({ a: inputs({ adoptSnapshotId: importId }) });
        assert.ok(adopted.ok, adopted.message);
        assert.equal(adopted.outputs.a, importId);
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 2, "the killed run's import and the refused one");
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [importId],
        );
    });
    it("only the CLI killed with 8 imports running: the provider exits, and the rerun adopts every import, none orphaned", async function () {
        this.timeout(240_000);
        const users = FLEET;
        const resources = Object.fromEntries(users.map((u, i) => [`u${i}`, inputs({ assignedUserId: u })]));
        emulator.setOptions({ importDurationMs: 8_000 }); // the kill lands while the provider waits for the imports
        const timings: string[] = [];
        const started = Date.now();
        const mark = (what: string) => timings.push(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
        try {
            const running = up(resources);
            await until(
                "Graph to hold every import, and the notes their ids",
                () => journalEntries().filter((n) => n.snapshotId).length === users.length,
                60_000,
            );
            const cli = processesWith(marker, "\0up\0");
            assert.equal(cli.length, 1, `one pulumi up of ours: ${cli.join(", ")}`);
            assert.equal(processesWith(marker, "dynamic-provider").length, 1);
            mark("Graph held all 8 imports, and the notes their ids; pulumi killed");
            process.kill(cli[0]!, "SIGKILL"); // the CLI only: the provider and the language host live on
            const run = await running;
            assert.equal(run.ok, false);
            await until(
                "the provider to exit on its own once its engine is gone",
                () => processesWith(marker, "dynamic-provider").length === 0,
                60_000,
            );
            mark("the provider exited");
            await until(
                "Graph to finish every import",
                () => users.every((u) => emulator.imports.byUser(u)[0]?.importStatus === "succeeded"),
                60_000,
            );
            mark("Graph finished every import");
            const graphIds = users.map((u) => emulator.imports.byUser(u)[0]!.snapshotId);
            assert.equal(journalEntries().length, users.length, "no note settled: the engine recorded none of them");

            await stack.cancel();
            const again = await up(resources);
            assert.ok(again.ok, `${again.message}\n${again.output}`);
            assert.deepEqual(
                users.map((_, i) => again.outputs[`u${i}`]),
                graphIds,
                "every import adopted",
            );
            assert.deepEqual(
                users.map((u) => emulator.imports.byUser(u).length),
                users.map(() => 1),
                "none imported twice",
            );
            assert.equal(
                emulator.stats().byRoute["POST importSnapshot"],
                2 * users.length,
                "the killed run's imports, and one 409 each",
            );
            mark("the rerun adopted all 8");
            const recorded = (await deployment()).resources
                .filter((r) => r.type === DYNAMIC)
                .map((r) => r.id)
                .sort();
            assert.deepEqual(recorded, [...graphIds].sort(), "every import is in the stack's state");
            const unknown = emulator.imports
                .list()
                .map((r) => r.snapshotId)
                .filter((id) => !recorded.includes(id));
            assert.deepEqual(unknown, [], "Graph holds no import Pulumi does not know: none orphaned");
            const third = await up(resources);
            assert.ok(third.ok);
            assert.deepEqual(journalEntries(), [], "settled by the next up's diffs");
            console.log(`      ${timings.join("; ")} (docs/RELIABILITY.md)`);
        } finally {
            emulator.setOptions({ importDurationMs: 300 });
            for (const pid of processesWith(marker, "pulumi-language-nodejs")) process.kill(pid, "SIGKILL");
        }
    });

    it("two stacks in one project directory: the other stack never adopts the killed stack's import; its own rerun does", async () => {
        const { importId } = await upKilledAfterImport("cli");
        await stack.cancel();
        const jb = await stackNamed("jb");
        try {
            const refused = await up({ a: inputs() }, jb);
            assert.equal(refused.ok, false);
            const shown = `${refused.output}\n${refused.message}`;
            assert.deepEqual(
                emulator.imports.byUser(USER).map((r) => r.snapshotId),
                [importId],
                "never adopted by jb",
            );
            if (!CAN_LIST) return await refusedThenAdopted(importId);
            assert.match(shown, new RegExp(`already has imported snapshot ${importId}`), shown);
            assert.match(
                shown,
                new RegExp(`notes say stack ${STACK} of project cloudpc-e2e-faults .*resource urn:pulumi:${STACK}::`),
                shown,
            );
            assert.match(shown, new RegExp(`set adoptSnapshotId: "${importId}"`));
            assert.deepEqual(
                emulator.imports.byUser(USER).map((r) => r.snapshotId),
                [importId],
            );

            const again = await up({ a: inputs() });
            assert.ok(again.ok, `${again.message}\n${again.output}`);
            assert.equal(again.outputs.a, importId, "the stack that sent it adopts it");
            assert.deepEqual(
                emulator.imports.byUser(USER).map((r) => r.snapshotId),
                [importId],
            );
        } finally {
            await jb.workspace.removeStack("jb", { force: true });
        }
    });
});
