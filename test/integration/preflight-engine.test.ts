// Engine-level: a replacement whose new source draws a definite objection, through @pulumi/pulumi's real
// dynamic-provider gRPC server, the Graph emulator and Azurite (the VHDs' storage). The old import stays in Graph
// and in state; preview shows the refusal without a write; a forced replacement (check, then delete without diff,
// as `pulumi up --replace` on a resource with deleteBeforeReplace) is refused right before the purge.
import { strict as assert } from "node:assert";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { providerForEmulator } from "../harness/emulator-config";
import { DynamicProviderProcess, ProviderCallError, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine } from "../harness/engine";
import { startAzurite, type Azurite } from "../harness/azurite";
import { DevStorage, syntheticFixedVhd } from "../harness/storage-blobs";
import { USER } from "../fixtures";

const DAY = 86_400_000;

describe("engine-level: the replacement preflight keeps the user's import", function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let azurite: Azurite;
    let storage: DevStorage;
    let provider: DynamicProviderProcess;
    let serialized: string;
    let engine: MiniEngine;

    const sasFile = (blob: string) => ({
        sasUrl: storage.sasUrl(azurite.origin, "vhds", blob, new Date(Date.now() + 2 * DAY)),
    });
    const desired = (blob: string) => [
        { name: "alice", inputs: { assignedUserId: USER, sourceFiles: [sasFile(blob)] } },
    ];

    before(async () => {
        [emulator, azurite] = await Promise.all([startEmulator({ importDurationMs: 300 }), startAzurite()]);
        storage = new DevStorage(azurite.origin);
        await storage.container("vhds");
        await storage.putPageBlob("vhds", "v1.vhd", syntheticFixedVhd());
        await storage.putPageBlob("vhds", "v2.vhd", syntheticFixedVhd());
        serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
        provider = await providerForEmulator(emulator);
    });
    after(async () => {
        await provider?.close();
        await Promise.all([emulator?.close(), azurite?.close()]);
    });
    beforeEach(async () => {
        emulator.imports.clear();
        engine = new MiniEngine(provider, serialized);
        await engine.up(desired("v1.vhd"));
    });

    it("preview and up refuse a replacement to a missing blob: the old import stays in Graph and in state", async () => {
        const before = structuredClone(engine.state.get("alice")!);
        const writes = emulator.stats().writes;
        await assert.rejects(
            engine.preview(desired("missing.vhd")),
            (e: Error) =>
                e instanceof ProviderCallError &&
                /refused before purging it/.test(e.message) &&
                /BlobNotFound/.test(e.message),
        );
        await assert.rejects(
            engine.up(desired("missing.vhd")),
            (e: Error) =>
                /does not exist \(storage answered 404 BlobNotFound\)/.test(e.message) &&
                /Nothing was purged/.test(e.message),
        );
        assert.equal(emulator.stats().writes, writes, "no Graph write");
        assert.equal(emulator.imports.get(before.id)?.importStatus, "succeeded", "the user's import is still in Graph");
        assert.deepEqual(engine.state.get("alice"), before, "state is as it was");
        assert.ok(!provider.stderr.join("").includes("sig="), "no SAS in the provider's output");
    });

    it("a replacement to a good blob goes ahead (purge, then import)", async () => {
        const first = engine.state.get("alice")!.id;
        const steps = await engine.up(desired("v2.vhd"));
        assert.deepEqual(
            steps.map((s) => s.op),
            ["delete", "create", "replace"],
        );
        assert.equal(emulator.imports.get(first), undefined);
        assert.equal(emulator.imports.byUser(USER).length, 1);
    });

    it("a forced replacement (check, then delete without diff) is refused before the purge", async () => {
        const old = engine.state.get("alice")!;
        const news = { ...desired("gone.vhd")[0]!.inputs, __provider: serialized };
        // As the engine checks a resource targeted by --replace: without its old inputs.
        const checked = await provider.check(old.urn, {}, news);
        assert.deepEqual(checked.failures, []);
        await assert.rejects(
            provider.delete(old.id, old.urn, old.outputs),
            /refused before purging it[\s\S]*BlobNotFound/,
        );
        assert.equal(emulator.imports.get(old.id)?.importStatus, "succeeded");
    });
});
