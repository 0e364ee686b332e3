// An importStatus the provider does not know (Graph's `unknownFutureValue`, or a member added later) is treated as
// still running: the wait keeps polling, ends at a terminal status if one comes, and otherwise stops at the deadline
// with a WaitTimeoutError naming the status. Both ways the provider waits (per resource and coalesced) are checked.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { startEmulator, type Emulator } from "../../emulator";
import type { GraphClient } from "../../provider/graph/client";
import { closeGraphClients, graphClientFor, snapshotsApiFor } from "../harness/graph-clients";
import { resolveSettings } from "../../provider/config/settings";
import type { SnapshotsApi } from "../../provider/snapshots/api";
import { CoalescedImports } from "../../provider/snapshots/coalescing/coalesced";
import {
    isTerminal,
    type ImportRecord,
    type ImportsGateway,
    WaitTimeoutError,
} from "../../provider/snapshots/coalescing/imports-gateway";
import { NaiveImports } from "../../scripts/bench/naive-gateway";
import { importSnapshot } from "../../provider/snapshots/imports";
import type { Clock } from "../../provider/util/clock";
import { FakeClock } from "../harness/fake-clock";

const ACCOUNT =
    "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/cloudpcvhds";

describe("an importStatus the provider does not know counts as still running, bounded by the timeout", function () {
    this.timeout(30_000);
    let emulator: Emulator;
    let client: GraphClient;
    let api: SnapshotsApi;

    // The waits run on a virtual clock: time moves only from one pause to the next, so a deadline counts polls,
    // never the machine's speed (the emulator's answers take real time, the clock does not see it).
    const gateways: Array<[string, (clock: Clock) => ImportsGateway]> = [
        ["per resource (naive)", (clock) => new NaiveImports(api, { initialMs: 50, maxMs: 100 }, {}, clock)],
        ["coalesced", (clock) => new CoalescedImports(api, { pollIntervalMs: 50, clock })],
    ];

    async function startImport(): Promise<string> {
        const record = await importSnapshot(client, {
            assignedUserId: randomUUID(),
            sourceFiles: [
                {
                    sourceType: "azureStorageAccount",
                    fileType: "dataFile",
                    storageBlobInfo: { storageAccountId: ACCOUNT, containerName: "vhds", fileName: "disk.vhd" },
                },
            ],
        });
        assert.ok(record.snapshotId);
        return record.snapshotId;
    }

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 60_000 });
        const settings = resolveSettings(undefined, emulator.env());
        client = graphClientFor(settings);
        api = snapshotsApiFor(settings);
    });
    after(async () => {
        await closeGraphClients();
        await emulator?.close();
    });

    it("only succeeded and failed are terminal", () => {
        for (const status of ["succeeded", "failed"]) assert.equal(isTerminal(status), true, status);
        for (const status of ["pending", "inProgress", "unknownFutureValue", "paused", undefined, null])
            assert.equal(isTerminal(status), false, String(status));
    });

    for (const [name, make] of gateways) {
        it(`${name}: unknownFutureValue keeps the wait polling until the deadline, which ends it with the status`, async () => {
            const id = await startImport();
            emulator.imports.setStatus(id, "unknownFutureValue");
            emulator.resetStats();
            const seen: string[] = [];
            const clock = new FakeClock();
            const deadline = clock.now() + 600;
            await assert.rejects(
                make(clock).wait(id, { deadline, onStatus: (r: ImportRecord) => seen.push(String(r.importStatus)) }),
                (e: unknown) => e instanceof WaitTimeoutError && e.lastStatus === "unknownFutureValue",
            );
            assert.ok(
                clock.now() >= deadline - 100,
                `the wait ended at its deadline, not before (${deadline - clock.now()} ms early)`,
            );
            assert.deepEqual(seen, ["unknownFutureValue"]);
            const reads = Object.entries(emulator.stats().byRoute)
                .filter(([k]) => k.startsWith("GET "))
                .reduce((n, [, v]) => n + v, 0);
            assert.ok(reads >= 2, `polled again after the unknown status (${reads} reads)`);
        });

        it(`${name}: an unknown status followed by succeeded resolves with the succeeded record`, async () => {
            const id = await startImport();
            emulator.imports.setStatus(id, "unknownFutureValue");
            const seen: string[] = [];
            const clock = new FakeClock();
            const waiting = make(clock).wait(id, {
                deadline: clock.now() + 20_000,
                onStatus: (r: ImportRecord) => {
                    seen.push(String(r.importStatus));
                    if (r.importStatus === "unknownFutureValue") emulator.imports.setStatus(id, "succeeded");
                },
            });
            const record = await waiting;
            assert.equal(record?.importStatus, "succeeded");
            assert.deepEqual(seen, ["unknownFutureValue", "succeeded"]);
        });
    }
});
