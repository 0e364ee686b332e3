// The provider's lifecycle in-process against the emulator: the reconciliation paths that need fault injection
// at exact moments, and the progress it reports.
import { strict as assert } from "node:assert";
import { startEmulator, type Emulator } from "../../emulator";
import { runtimeForEmulator } from "../harness/emulator-config";
import type { ProviderRuntime } from "../../provider/runtime/runtime";
import type { ResourceHandlers } from "../../provider/resources/shared/handlers";
import { RecordingProgress } from "../../provider/runtime/progress";
import { importedSnapshotHandlers } from "../../provider/resources/imported-snapshot/handlers";
import { blobFile, CAN_LIST, DIALECT, inputs, SAS_SIG, SAS_URL, USER } from "../fixtures";

describe("lifecycle: CloudPcImportedSnapshot handlers against the emulator", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    const progress = new RecordingProgress();
    let runtime: ProviderRuntime | undefined;
    let handlers: ResourceHandlers;
    /** A new runtime: what a process learned of Graph's functions holds for its life. */
    const fresh = async () => {
        await runtime?.close();
        runtime = runtimeForEmulator(emulator, { progress });
        handlers = importedSnapshotHandlers(runtime);
    };

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 400 });
        await fresh();
    });
    after(async () => {
        await runtime?.close();
        await emulator?.close();
    });
    beforeEach(() => {
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.resetStats();
        progress.lines.length = 0;
    });

    it("reports each status change with the elapsed time while waiting", async () => {
        const { id } = await handlers.create(inputs());
        const statusLines = progress.lines.filter((l) => l.includes(id) && /after \d+s/.test(l));
        assert.ok(
            statusLines.some((l) => /succeeded after \d+s/.test(l)),
            progress.lines.join("\n"),
        );
        assert.ok(statusLines.length >= 2, "at least one intermediate status and the final one");
    });

    it("retries the import when the connection dropped before Graph acted", async () => {
        emulator.faults.add({ route: "POST importSnapshot", drop: "before" });
        const { id } = await handlers.create(inputs());
        assert.equal(emulator.imports.byUser(USER).length, 1);
        assert.equal(emulator.imports.byUser(USER)[0].snapshotId, id);
    });

    it("waits out 429s with Retry-After during import and polling", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 429, retryAfter: "0.2" });
        emulator.faults.add({ route: "retrieveSnapshotImportResult", status: 503, retryAfter: "0.1", times: 2 });
        const { outs } = await handlers.create(inputs());
        assert.equal(outs!.importStatus, "succeeded");
        assert.equal(emulator.imports.byUser(USER).length, 1, "the throttled POST was not imported twice");
    });

    it("falls back to the other read functions when Graph lacks one", async () => {
        for (const only of [
            "retrieveSnapshotImportResults",
            "retrieveSnapshotImportResult",
            "listSnapshotImportResults",
        ] as const) {
            emulator.imports.clear();
            emulator.setOptions({ importResultFunctions: [only] });
            // What a process learned of Graph's functions holds for its life: a new Graph needs a new runtime.
            await fresh();
            try {
                const { id } = await handlers.create(inputs());
                const read = await handlers.read(id, {});
                assert.equal(read.id, id, `read through ${only}`);
                assert.equal(read.props!.importStatus, "succeeded");
            } finally {
                emulator.setOptions({ dialect: DIALECT });
                await fresh();
            }
        }
    });

    it("read returns no id for a record that is gone", async () => {
        const read = await handlers.read("11111111-2222-4333-8444-555555555555", {});
        assert.equal(read.id, undefined);
    });

    it("a resend refused after an unknown outcome does not end the create on one list pass (reconcile.ts)", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 504 }); // not acted, but the answer says nothing
        emulator.faults.add({ route: "POST importSnapshot", status: 400, code: "BadRequest" });
        const failed = await handlers.create(inputs()).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        assert.ok(failed, "the create fails");
        assert.deepEqual(emulator.imports.byUser(USER), [], "nothing was imported");
        const lists = emulator.stats().byRoute["GET listSnapshotImportResults"] ?? 0;
        if (CAN_LIST) {
            assert.match(failed.message, /400|BadRequest/);
            // One pass before the resend, MISSES_FOR_ABSENT after its refusal: one pass can skip a live record.
            assert.ok(lists >= 4, `${lists} list passes`);
        } else {
            assert.match(failed.message, /may have carried it out.*adoptSnapshotId/s);
        }
    });

    it("delete of an already purged import succeeds", async () => {
        const { id } = await handlers.create(inputs());
        await handlers.remove(id);
        await handlers.remove(id);
        assert.equal(emulator.imports.list().length, 0);
    });

    it("sends fileName to Graph even when the program said blobName", async () => {
        const f = blobFile();
        await handlers.create(
            inputs({
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId: f.storageBlobInfo.storageAccountId,
                            containerName: "vhds",
                            blobName: "alias.vhd",
                        },
                    },
                ],
            }),
        );
        const rec = emulator.imports.byUser(USER)[0];
        assert.equal(rec.filename, "alias.vhd");
    });

    it("never logs a SAS signature", async () => {
        // A 500 to the POST is ambiguous: the provider looks for the import before each of its 3 sends, then reports the error.
        emulator.faults.add({ route: "POST importSnapshot", status: 500, code: "InternalServerError", times: 3 });
        await assert.rejects(handlers.create(inputs({ sourceFiles: [{ sasUrl: SAS_URL }] })), (err: Error) => {
            assert.ok(!err.message.includes(SAS_SIG));
            assert.match(err.message, /HTTP 500/);
            return true;
        });
        assert.ok(!progress.lines.join("\n").includes(SAS_SIG));
    });
});
