// The replacement preflight through the REAL Pulumi CLI (Automation API), the Graph emulator and Azurite holding the
// VHDs: preview reports a definite objection without writing; up refuses before the purge; a forced replacement
// (`up --replace` of a resource with deleteBeforeReplace) is refused right before the purge. Every time the user's
// import stays in Graph and in the stack's state.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { type Stack } from "@pulumi/pulumi/automation";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshot } from "../../provider";
import { startAzurite, type Azurite } from "../harness/azurite";
import { DevStorage, syntheticFixedVhd } from "../harness/storage-blobs";
import { USER } from "../fixtures";

const DYNAMIC = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot";
const STACK = "preflight";

describe("e2e: the replacement preflight through the real Pulumi CLI", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    let azurite: Azurite;
    let storage: DevStorage;
    let stack: Stack;
    let test: TestStack | undefined;

    const sas = (blob: string) => storage.sasUrl(azurite.origin, "vhds", blob, new Date(Date.now() + 2 * 86_400_000));
    const program =
        (blob: string, opts: pulumi.CustomResourceOptions = {}) =>
        async () => ({
            id: new CloudPcImportedSnapshot(
                "alice",
                { assignedUserId: USER, sourceFiles: [{ sasUrl: sas(blob) }] },
                opts,
            ).snapshotId,
        });

    async function recorded(): Promise<{ id?: string; urn: string; outputs?: Record<string, unknown> }> {
        const exported = await stack.exportStack();
        const all =
            (
                exported.deployment as {
                    resources?: { type: string; id?: string; urn: string; outputs?: Record<string, unknown> }[];
                }
            ).resources ?? [];
        const mine = all.filter((r) => r.type === DYNAMIC);
        assert.equal(mine.length, 1);
        return mine[0]!;
    }

    async function refused(op: Promise<unknown>): Promise<string> {
        let output = "";
        try {
            await op;
        } catch (err) {
            output = String((err as Error).message);
        }
        assert.ok(output, "the operation was refused");
        return output;
    }

    before(async () => {
        [emulator, azurite] = await Promise.all([startEmulator({ importDurationMs: 300 }), startAzurite()]);
        storage = new DevStorage(azurite.origin);
        await storage.container("vhds");
        await storage.putPageBlob("vhds", "v1.vhd", syntheticFixedVhd());
        test = await testStack({
            project: "cloudpc-e2e-preflight",
            stack: STACK,
            target: emulator,
            program: program("v1.vhd"),
        });
        stack = test.stack;
    });

    after(async () => {
        try {
            await test?.dispose();
        } finally {
            await Promise.all([emulator?.close(), azurite?.close()]);
        }
    });

    it("preview and up refuse a replacement to a missing blob; the import stays in Graph and in state", async () => {
        await stack.up({ program: program("v1.vhd") });
        const before = await recorded();
        const writes = emulator.stats().writes;

        const preview = await refused(stack.preview({ program: program("missing.vhd") }));
        assert.match(preview, /refused before purging it[\s\S]*does not exist \(storage answered 404 BlobNotFound\)/);
        const up = await refused(stack.up({ program: program("missing.vhd") }));
        assert.match(up, /refused before purging it[\s\S]*Nothing was purged/);
        assert.ok(!preview.includes("sig=") && !up.includes("sig="), "no SAS in the CLI's output");

        assert.equal(emulator.stats().writes, writes, "no Graph write");
        assert.equal(emulator.imports.get(before.id!)?.importStatus, "succeeded");
        const after = await recorded();
        assert.equal(after.id, before.id);
        assert.deepEqual(after.outputs, before.outputs);
    });

    it("up --replace of a resource with deleteBeforeReplace is refused right before the purge", async () => {
        await stack.up({ program: program("v1.vhd", { deleteBeforeReplace: true }) });
        const before = await recorded();
        await storage.service.getContainerClient("vhds").getBlobClient("v1.vhd").delete();
        try {
            // The same inputs: the engine's diff is not asked; check then delete are.
            const out = await refused(
                stack.up({ program: program("v1.vhd", { deleteBeforeReplace: true }), replace: [before.urn] }),
            );
            assert.match(out, /refused before purging it[\s\S]*BlobNotFound/);
        } finally {
            await storage.putPageBlob("vhds", "v1.vhd", syntheticFixedVhd());
        }
        assert.equal(emulator.imports.get(before.id!)?.importStatus, "succeeded");
        assert.equal((await recorded()).id, before.id);
    });
});
