// What a stack stores must outlive upgrades and SAS rotation, shown through the REAL Pulumi CLI (Automation API,
// inline programs, a local backend) against the Graph emulator: each class its own type token, a 0.1.0 stack (its
// token, its provider text) moved over with no replace and no Graph call, a rotated SAS that is no change at all.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type EngineEvent, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshot, CloudPcSnapshot, type CloudPcImportedSnapshotArgs } from "../../provider";
import { stepEvents } from "../../scripts/pulumi/automation";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { inputs, SAS_SIG, SAS_URL } from "../fixtures";

const PROJECT = "cloudpc-e2e-stored";
const STACK = "stored";
const IMPORTED = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot";
const SNAPSHOT = "pulumi-nodejs:dynamic/cloudpc:Snapshot";
const TOKEN_0_1_0 = "pulumi-nodejs:dynamic:Resource";
const OLD_TEXT = fs.readFileSync(path.join(__dirname, "..", "stored-providers", "0.1.0-imported-snapshot.txt"), "utf8");

/** A SAS URL for the same blob with new credentials (signature, expiry, start), as a stack that builds it per run. */
function rotated(n: number): string {
    return SAS_URL.replace(SAS_SIG, `ROTATED${n}abcdef0123456789%3D`)
        .replace("se=2026-12-01", `se=2027-0${n}-15`)
        .replace("st=2026-11-01", `st=2026-12-0${n}`);
}

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/**
 * The provider object 0.1.0 built (runtime/lazy-provider.ts then): arrow functions requiring the handlers by a path
 * relative to the project directory. The SDK serializes it to the very text 0.1.0 stored (checked below).
 */
function provider010(handlersPath: string): pulumi.dynamic.ResourceProvider {
    const H = { path: handlersPath };
    return {
        configure: (r) => require(H.path).configure(r),
        check: (o, n) => require(H.path).check(o, n),
        diff: (i, o, n) => require(H.path).diff(i, o, n),
        create: (n) => require(H.path).create(n),
        update: (i, o, n) => require(H.path).update(i, o, n),
        read: (i, p) => require(H.path).read(i, p),
        delete: (i, p) => require(H.path).remove(i, p),
    };
}
const PROVIDER_0_1_0 = provider010("./provider/resources/imported-snapshot/handlers");

/** CloudPcImportedSnapshot as 0.1.0 registered it: the default token, 0.1.0's provider. */
class ImportedSnapshot010 extends pulumi.dynamic.Resource {
    declare public readonly snapshotId: pulumi.Output<string>;
    constructor(name: string, args: Record<string, unknown>) {
        const files = args.sourceFiles as Record<string, unknown>[];
        super(PROVIDER_0_1_0, name, {
            ...args,
            sourceFiles: files.map((f) => (f.sasUrl ? { ...f, sasUrl: pulumi.secret(f.sasUrl as string) } : f)),
            snapshotId: undefined,
            importStatus: undefined,
            usageStatus: undefined,
            filename: undefined,
            assignedUserPrincipalName: undefined,
            policyName: undefined,
            startDateTime: undefined,
            endDateTime: undefined,
            additionalDetail: undefined,
        });
    }
}

describe("e2e: what a stack stores outlives upgrades and SAS rotation (real Pulumi CLI)", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    let stack: Stack;
    let test: TestStack | undefined;

    async function stateResources(): Promise<StateResource[]> {
        const exported = await stack.exportStack();
        return ((exported.deployment as { resources?: StateResource[] }).resources ?? []).filter((r) =>
            r.type.startsWith("pulumi-nodejs:"),
        );
    }

    async function up(program: PulumiFn) {
        const events: EngineEvent[] = [];
        let output = "";
        const result = await stack.up({ program, onEvent: (e) => events.push(e), onOutput: (s) => (output += s) });
        return { result, events, output };
    }

    const imported =
        (name: string, args: Record<string, unknown>): PulumiFn =>
        async () => ({
            [name]: new CloudPcImportedSnapshot(name, args as unknown as CloudPcImportedSnapshotArgs).snapshotId,
        });

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300 });
        test = await testStack({ project: PROJECT, stack: STACK, target: emulator });
        stack = test.stack;
    });

    after(async () => {
        try {
            await test?.dispose();
        } finally {
            await emulator?.close();
        }
    });

    beforeEach(async () => {
        if ((await stateResources()).length > 0) await stack.destroy();
        emulator.imports.clear();
        emulator.restorePoints.clear();
        emulator.resetStats();
    });

    it("a CloudPcImportedSnapshot and a CloudPcSnapshot with one logical name preview and deploy side by side", async () => {
        const cloudPcId = randomUUID();
        const program: PulumiFn = async () => ({
            imported: new CloudPcImportedSnapshot("alice", inputs() as unknown as CloudPcImportedSnapshotArgs)
                .snapshotId,
            snapshot: new CloudPcSnapshot("alice", { cloudPcId }).snapshotId,
        });
        const preview = await stack.preview({ program });
        assert.deepEqual(preview.changeSummary, { create: 3 });
        const { result } = await up(program);
        assert.deepEqual(result.summary.resourceChanges, { create: 3 });
        const resources = await stateResources();
        assert.deepEqual(resources.map((r) => r.type).sort(), [IMPORTED, SNAPSHOT]);
        for (const r of resources) assert.ok(r.urn.endsWith(`::${r.type}::alice`), r.urn);
        assert.equal(resources.find((r) => r.type === IMPORTED)!.id, result.outputs.imported!.value);
        assert.equal(resources.find((r) => r.type === SNAPSHOT)!.id, result.outputs.snapshot!.value);
    });

    it("a stack made by 0.1.0 (its token, its provider text) is upgraded with no replace and no Graph write", async () => {
        const first = await up(async () => ({
            a: new ImportedSnapshot010("a", inputs({ sourceFiles: [{ sasUrl: SAS_URL }] })).snapshotId,
        }));
        const id = first.result.outputs.a!.value as string;
        const [old] = await stateResources();
        assert.equal(old!.type, TOKEN_0_1_0);
        assert.equal(old!.outputs!.__provider, OLD_TEXT, "the stack holds 0.1.0's very provider text");

        // The package upgraded, and the SAS rotated in the same run (a GitOps pipeline builds it each time).
        emulator.resetStats();
        const program = imported("a", inputs({ sourceFiles: [{ sasUrl: rotated(1) }] }));
        const preview = await stack.preview({ program });
        assert.deepEqual(
            preview.changeSummary,
            { same: 1, update: 1 },
            "a rewrite of what is stored, nothing replaced",
        );
        const upgraded = await up(program);
        assert.deepEqual(upgraded.result.summary.resourceChanges, { same: 1, update: 1 });
        assert.equal(upgraded.result.outputs.a!.value, id);
        const ops = stepEvents(upgraded.events)
            .filter((s) => s.phase === "pre" && s.urn.endsWith("::a"))
            .map((s) => s.op);
        assert.deepEqual(ops, ["update"]);
        assert.equal(emulator.stats().writes, 0, "no Graph write");
        const [now] = await stateResources();
        assert.equal(now!.type, IMPORTED);
        assert.equal(now!.id, id);
        assert.notEqual(now!.outputs!.__provider, OLD_TEXT, "the stored provider text was rewritten");
        assert.ok(String(now!.outputs!.__provider).includes("@cloudpc/pulumi-snapshots/provider-handlers"));
        assert.equal(emulator.imports.get(id)?.importStatus, "succeeded", "the user's import is untouched");

        // From now on an ordinary stack: the next rotation is no change at all.
        await stack.preview({
            program: imported("a", inputs({ sourceFiles: [{ sasUrl: rotated(2) }] })),
            expectNoChanges: true,
        });
    });

    it("a rotated SAS is no change (preview --expect-no-changes passes, no Graph write); a new blob path replaces delete-first", async () => {
        const first = await up(imported("sas", inputs({ sourceFiles: [{ sasUrl: SAS_URL }] })));
        const id = first.result.outputs.sas!.value as string;
        emulator.resetStats();
        for (const n of [1, 2]) {
            const program = imported("sas", inputs({ sourceFiles: [{ sasUrl: rotated(n) }] }));
            const preview = await stack.preview({ program, expectNoChanges: true });
            assert.deepEqual(preview.changeSummary, { same: 2 });
            const { result } = await up(program);
            assert.deepEqual(result.summary.resourceChanges, { same: 2 });
            assert.equal(result.outputs.sas!.value, id);
        }
        assert.equal(emulator.stats().writes, 0, "no Graph write");
        const exported = JSON.stringify(await stack.exportStack());
        // exportStack shows secrets decrypted: the new URL is in the (encrypted) inputs; the outputs hold no credential.
        const [res] = await stateResources();
        assert.ok(!JSON.stringify(res!.outputs).includes("ROTATED") && !JSON.stringify(res!.outputs).includes(SAS_SIG));
        assert.ok(exported.includes("ROTATED2"), "the engine recorded the new inputs");

        const moved = rotated(3).replace("/vhds/user1-os.vhd", "/vhds/user1-os-v2.vhd");
        const replaced = await up(imported("sas", inputs({ sourceFiles: [{ sasUrl: moved }] })));
        assert.deepEqual(replaced.result.summary.resourceChanges, { replace: 1, same: 1 });
        const ops = stepEvents(replaced.events)
            .filter((s) => s.phase === "pre" && s.urn.endsWith("::sas"))
            .map((s) => s.op);
        assert.ok(
            ops.indexOf("delete-replaced") >= 0 && ops.indexOf("delete-replaced") < ops.indexOf("create-replacement"),
            ops.join(", "),
        );
        assert.equal(emulator.imports.get(id), undefined, "the old import was purged");
    });
});
