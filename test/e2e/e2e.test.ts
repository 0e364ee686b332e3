// End to end through the REAL Pulumi CLI (the engine built by scripts/pulumi-cli.sh) against the Graph emulator:
// inline programs declaring CloudPcImportedSnapshot resources run through the Automation API (the program in this
// process, everything else in `pulumi`: plan, steps, our dynamic-provider plugin, state, secrets), one stack in a
// temporary local backend for the whole file. See scripts/pulumi/automation.ts for why the Automation API.
import { strict as assert } from "node:assert";
import { type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { startEmulator, type Emulator } from "../../emulator";
import { stepEvents } from "../../scripts/pulumi/automation";
import { importsProgram } from "../harness/inline-program";
import { importOutsidePulumi } from "../harness/outside-pulumi";
import { blobFile, inputs, OTHER_USER, SAS_SIG, SAS_URL, USER } from "../fixtures";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DYNAMIC = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot";
const PROJECT = "cloudpc-e2e";
const STACK = "e2e";

interface Run {
    /** Everything the CLI printed (its display, the provider's progress lines, diagnostics). */
    output: string;
    events: EngineEvent[];
}

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

describe("e2e: the real Pulumi CLI (Automation API, inline programs) against the Graph emulator", function () {
    this.timeout(180_000);
    let emulator: Emulator;
    let stack: Stack;
    let test: TestStack | undefined;

    /** Runs one CLI operation, collecting its output and engine events; a failure carries the output too. */
    async function run<T>(
        op: (opts: { onOutput: (s: string) => void; onEvent: (e: EngineEvent) => void }) => Promise<T>,
    ): Promise<Run & { result: T }> {
        const r: Run = { output: "", events: [] };
        try {
            const result = await op({ onOutput: (s) => (r.output += s), onEvent: (e) => r.events.push(e) });
            return { ...r, result };
        } catch (err) {
            throw Object.assign(err as Error, { run: r });
        }
    }

    /** Runs an operation that must fail; returns what the CLI printed and the error's message. */
    async function failing(op: Parameters<typeof run>[0]): Promise<Run & { message: string }> {
        try {
            await run(op);
        } catch (err) {
            const e = err as Error & { run?: Run };
            assert.ok(e.run, `not a CLI failure: ${e.message}`);
            return { ...e.run, message: e.message };
        }
        assert.fail("the operation succeeded");
    }

    async function stateResources(): Promise<StateResource[]> {
        const exported = await stack.exportStack();
        return ((exported.deployment as { resources?: StateResource[] }).resources ?? []).filter(
            (r) => r.type === DYNAMIC,
        );
    }

    /**
     * `pulumi stack export` exactly as a user types it. Not stack.exportStack(): the Automation API passes
     * --show-secrets, which decrypts every secret on purpose.
     */
    async function exportAsUsersSeeIt(): Promise<string> {
        const ws = stack.workspace;
        // PulumiCommand.run exists at run time but is left out of the published declarations.
        const cli = ws.pulumiCommand as unknown as {
            run(args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string }>;
        };
        const r = await cli.run(["stack", "export", "--stack", STACK], ws.workDir, { ...ws.envVars });
        return r.stdout;
    }

    const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

    before(async function () {
        emulator = await startEmulator({ importDurationMs: 600 });
        test = await testStack({ project: PROJECT, stack: STACK, target: emulator, program: importsProgram({}) });
        stack = test.stack;
    });

    after(async function () {
        try {
            await test?.dispose();
        } finally {
            await emulator?.close();
        }
    });

    /** Every test starts from an empty stack, an empty emulator, no faults and zeroed counters. */
    beforeEach(async () => {
        if ((await stateResources()).length > 0) await stack.destroy();
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.resetStats();
    });

    it("preview sends no write to Graph", async () => {
        const { result } = await run((o) => stack.preview({ ...o, program: importsProgram({ a: inputs() }) }));
        assert.equal(result.changeSummary.create, 2, JSON.stringify(result.changeSummary)); // the stack and `a`
        assert.equal(emulator.stats().writes, 0);
        assert.equal(emulator.imports.list().length, 0);
    });

    it("up imports and shows the provider's progress; a second up reports no changes and sends no write", async () => {
        const first = await run((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
        assert.deepEqual(first.result.summary.resourceChanges, { create: 2 });
        const id = first.result.outputs.a!.value as string;
        assert.match(id, GUID);
        assert.equal(emulator.imports.get(id)?.importStatus, "succeeded");
        assert.match(first.output, new RegExp(`Import ${id} for user ${USER}: succeeded after`), first.output);
        const [recorded] = await stateResources();
        assert.equal(recorded!.id, id);
        assert.equal(recorded!.outputs!.importStatus, "succeeded");

        const writes = emulator.stats().writes;
        const second = await run((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
        assert.deepEqual(second.result.summary.resourceChanges, { same: 2 });
        assert.equal(second.result.outputs.a!.value, id);
        assert.equal(emulator.stats().writes, writes, "no Graph write on an up without changes");
    });

    it("a changed source blob replaces delete-before-replace: one import per user at every moment", async () => {
        const { result } = await run((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
        const oldId = result.outputs.a!.value as string;
        let most = 0;
        const sampler = setInterval(() => (most = Math.max(most, emulator.imports.byUser(USER).length)), 2);
        let replaced: Awaited<ReturnType<typeof run<Awaited<ReturnType<Stack["up"]>>>>>;
        try {
            replaced = await run((o) =>
                stack.up({
                    ...o,
                    program: importsProgram({ a: inputs({ sourceFiles: [blobFile("user1-os-v2.vhd")] }) }),
                }),
            );
        } finally {
            clearInterval(sampler);
        }
        assert.deepEqual(replaced.result.summary.resourceChanges, { replace: 1, same: 1 });
        const newId = replaced.result.outputs.a!.value as string;
        assert.notEqual(newId, oldId);
        assert.equal(emulator.imports.get(oldId), undefined, "the old import was purged");
        assert.equal(emulator.imports.byUser(USER).length, 1);
        assert.ok(most <= 1, `the user had ${most} imports at once`);
        const ops = stepEvents(replaced.events)
            .filter((s) => nameOf(s.urn) === "a" && s.phase === "pre")
            .map((s) => s.op);
        const del = ops.indexOf("delete-replaced");
        const create = ops.indexOf("create-replacement");
        assert.ok(del >= 0 && create > del, `the engine's steps for a: ${ops.join(", ")}`);
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 2);
    });

    it("refresh drops an import purged outside Pulumi", async () => {
        const { result } = await run((o) =>
            stack.up({ ...o, program: importsProgram({ a: inputs(), b: inputs({ assignedUserId: OTHER_USER }) }) }),
        );
        const a = result.outputs.a!.value as string;
        assert.ok(emulator.imports.remove(a));
        const refreshed = await run((o) => stack.refresh(o));
        assert.deepEqual(refreshed.result.summary.resourceChanges, { delete: 1, same: 2 });
        assert.deepEqual(
            (await stateResources()).map((r) => nameOf(r.urn)),
            ["b"],
        );
        assert.equal(emulator.stats().writes, 2, "refresh only reads");
    });

    it("where Graph answers unknown ids with 404, refresh keeps a purged import and says so; notFoundMeansGone drops it", async () => {
        emulator.setOptions({ unknownIdAnswer: "notFound" });
        try {
            const { result } = await run((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
            const a = result.outputs.a!.value as string;
            assert.ok(emulator.imports.remove(a));
            const kept = await run((o) => stack.refresh(o));
            assert.deepEqual(kept.result.summary.resourceChanges, { same: 2 }, "a 404 proves nothing: kept");
            assert.match(kept.output, /neither show it nor prove it gone.*request-id/s);
            assert.match(kept.output, /CLOUDPC_NOT_FOUND_MEANS_GONE=true pulumi refresh/);
            // A refresh runs with the provider settings of the last up: the one-off escape hatch is the variable.
            stack.workspace.envVars.CLOUDPC_NOT_FOUND_MEANS_GONE = "true";
            const dropped = await run((o) => stack.refresh(o));
            assert.deepEqual(dropped.result.summary.resourceChanges, { delete: 1, same: 1 });
            assert.deepEqual(await stateResources(), []);
        } finally {
            emulator.setOptions({ unknownIdAnswer: "empty" });
            delete stack.workspace.envVars.CLOUDPC_NOT_FOUND_MEANS_GONE;
        }
    });

    it("adopts an existing import through adoptSnapshotId, with no second import", async () => {
        const existing = await importOutsidePulumi(emulator, USER, "portal-made.vhd");
        emulator.resetStats();
        const { result } = await run((o) =>
            stack.up({ ...o, program: importsProgram({ adopted: inputs({ adoptSnapshotId: existing }) }) }),
        );
        assert.equal(result.outputs.adopted!.value, existing);
        assert.equal(emulator.stats().byRoute["POST importSnapshot"] ?? 0, 0);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [existing],
        );
        const [recorded] = await stateResources();
        assert.equal(recorded!.id, existing);
    });

    it("a failing import leaves no record (state or Graph) and the CLI shows Graph's additionalDetail", async () => {
        const failed = await failing((o) =>
            stack.up({
                ...o,
                program: importsProgram({ bad: inputs({ sourceFiles: [blobFile("corrupt-disk.vhd")] }) }),
            }),
        );
        const shown = `${failed.output}\n${failed.message}`;
        assert.match(shown, /is not a fixed-size VHD or is damaged/, shown);
        assert.match(shown, /purged/);
        assert.deepEqual(await stateResources(), []);
        assert.equal(emulator.imports.byUser(USER).length, 0, "the user is not left blocked");
        assert.equal(emulator.stats().byRoute["POST importSnapshot"], 1);
    });

    it("a Graph error shows its request-id in the CLI output, and nothing is recorded", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 403, code: "Forbidden" });
        const failed = await failing((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
        const shown = `${failed.output}\n${failed.message}`;
        assert.match(shown, /HTTP 403/, shown);
        assert.match(shown, /code: Forbidden/);
        assert.match(
            shown,
            /Fix: grant the app the Microsoft Graph application permission CloudPC\.ReadWrite\.All/,
            "the 403 says what to do",
        );
        assert.match(shown, /request-id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
        const failedOps = stepEvents(failed.events)
            .filter((s) => s.phase === "failed")
            .map((s) => `${s.op} ${nameOf(s.urn)}`);
        assert.deepEqual(failedOps, ["create a"]);
        assert.deepEqual(await stateResources(), []);
        assert.equal(emulator.imports.list().length, 0);
    });

    it("an import that outlives timeoutMinutes is recorded in state; the next up continues it (update), never imports twice", async () => {
        emulator.setOptions({ importDurationMs: 60_000 });
        try {
            const slow = { slow: inputs({ timeoutMinutes: 0.01 }) };
            const failed = await failing((o) => stack.up({ ...o, program: importsProgram(slow) }));
            assert.match(`${failed.output}\n${failed.message}`, /timeoutMinutes/);
            const [recorded] = await stateResources();
            assert.ok(recorded?.id && emulator.imports.get(recorded.id), "the recorded id is the live import");
            emulator.imports.setStatus(recorded.id, "succeeded");
            const resumed = await run((o) => stack.up({ ...o, program: importsProgram(slow) }));
            assert.deepEqual(resumed.result.summary.resourceChanges, { update: 1, same: 1 });
            assert.equal(resumed.result.outputs.slow!.value, recorded.id);
            assert.equal(emulator.stats().byRoute["POST importSnapshot"], 1);
            const [after] = await stateResources();
            assert.equal(after!.outputs!.importStatus, "succeeded");
        } finally {
            emulator.setOptions({ importDurationMs: 600 });
        }
    });

    it("destroy purges everything; an import already gone counts as purged", async () => {
        const { result } = await run((o) =>
            stack.up({ ...o, program: importsProgram({ a: inputs(), b: inputs({ assignedUserId: OTHER_USER }) }) }),
        );
        emulator.imports.remove(result.outputs.b!.value as string);
        const destroyed = await run((o) => stack.destroy(o));
        assert.deepEqual(destroyed.result.summary.resourceChanges, { delete: 3 });
        assert.equal(emulator.imports.list().length, 0);
        assert.deepEqual(await stateResources(), []);
    });

    it("`pulumi stack export` holds no SAS signature, client secret or token", async () => {
        await run((o) =>
            stack.up({
                ...o,
                program: importsProgram({
                    sas: inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }),
                    blob: inputs({ assignedUserId: OTHER_USER }),
                }),
            }),
        );
        const exported = await exportAsUsersSeeIt();
        assert.match(exported, /"ciphertext"/, "the SAS URL input is stored as an encrypted secret");
        assert.ok(!exported.includes(SAS_SIG), "the SAS signature is in the exported state");
        assert.ok(!exported.includes(SAS_URL.split("?")[1]!), "the SAS query string is in the exported state");
        assert.ok(!exported.includes(emulator.clientSecret), "the client secret is in the exported state");
        assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(exported), "a bearer token is in the exported state");
        const resources = await stateResources();
        const sas = resources.find((r) => nameOf(r.urn) === "sas")!;
        // The engine keeps outputs derived from a secret input secret too (decrypted here: exportStack shows secrets).
        const files = revealed(sas.outputs!.sourceFiles) as { sasUrlRedacted?: string; sasUrl?: string }[];
        assert.equal(files[0]!.sasUrlRedacted, SAS_URL.split("?")[0]);
        assert.equal(files[0]!.sasUrl, undefined, "the SAS URL itself is not an output");
        for (const r of resources) {
            const provider = String(r.inputs!.__provider);
            assert.ok(provider.length < 3_072, `__provider of ${nameOf(r.urn)} is ${provider.length} bytes`);
            console.log(
                `      __provider of ${nameOf(r.urn)}: ${provider.length} bytes (stored twice: inputs and outputs)`,
            );
        }
        console.log(
            `      exported state, ${resources.length} imported snapshots: ${Buffer.byteLength(exported)} bytes`,
        );
    });
});

/** A value from a --show-secrets export: a secret is { <sig key>: ..., plaintext: "<JSON>" }. */
function revealed(value: unknown): unknown {
    if (value && typeof value === "object" && "plaintext" in value)
        return JSON.parse(String((value as { plaintext: unknown }).plaintext));
    return value;
}
