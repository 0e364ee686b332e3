// The ImportedSnapshot lifecycle reads the time on the runtime's clock (its context's), never the machine's: the
// wait's deadline and the elapsed time it reports follow a virtual clock here, without a server.
import { strict as assert } from "node:assert";
import type { GraphClient } from "../../provider/graph/client";
import { asInputs, checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { createImport, type LifecycleContext } from "../../provider/resources/imported-snapshot/lifecycle";
import { RecordingProgress } from "../../provider/runtime/progress";
import { createSnapshotsApi } from "../../provider/snapshots/api";
import type { ImportRecord, ImportsGateway, WaitOptions } from "../../provider/snapshots/coalescing/imports-gateway";
import { inputs } from "../fixtures";
import { FakeClock } from "../harness/fake-clock";

describe("imported snapshot: the lifecycle's time is its context's clock", () => {
    it("the wait's deadline is timeoutMinutes on that clock, and the elapsed time reported is measured on it", async () => {
        const clock = new FakeClock({ start: Date.parse("2030-06-01T00:00:00Z") });
        const started = clock.now();
        // Graph accepts the import at once; the gateway's wait takes 90 s of the clock's time.
        const client = {
            request: async () => ({ status: 200, headers: {}, body: { snapshotId: "s-1", importStatus: "pending" } }),
        } as unknown as GraphClient;
        const waits: WaitOptions[] = [];
        const imports: ImportsGateway = {
            api: createSnapshotsApi(client),
            get: async () => ({ kind: "unknown", why: "not asked" }),
            wait: async (id, o) => {
                waits.push(o);
                await clock.sleep(90_000);
                const record: ImportRecord = { snapshotId: id, importStatus: "succeeded" };
                o.onStatus(record);
                return record;
            },
            purge: async () => {},
            list: async () => [],
            noteWrite: () => {},
        };
        const progress = new RecordingProgress();
        const ctx: LifecycleContext = {
            client,
            imports,
            progress,
            poll: { initialMs: 100, maxMs: 1_000 },
            graphEndpoint: "https://graph.example",
            clock,
        };
        const checked = checkImportedSnapshot(inputs({ timeoutMinutes: 5 }));
        assert.deepEqual(checked.failures, []);
        const { id, outs } = await createImport(ctx, asInputs(checked.inputs));
        assert.equal(id, "s-1");
        assert.equal(outs.importStatus, "succeeded");
        assert.equal(waits.length, 1);
        assert.equal(waits[0]!.deadline, started + 5 * 60_000, "the deadline is on the context's clock");
        assert.ok(
            progress.lines.some((l) => /s-1 .*: succeeded after 90s\./.test(l)),
            progress.lines.join("\n"),
        );
    });
});
