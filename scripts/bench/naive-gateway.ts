// The benchmark's baseline, not part of the product: an imports gateway where each caller reads, polls (with its own
// backoff) and purges by itself, so Graph traffic grows with N x polls. The benchmark compares it with the coalesced
// gateway the provider runs; install-naive-gateway.ts puts it into a provider process.
import type { SnapshotsApi } from "../../provider/snapshots/api";
import type { PollSettings } from "../../provider/runtime/runtime";
import { listImportResults, lookUpImport, type LookupOptions } from "../../provider/snapshots/import-results";
import { purgeImportedSnapshots } from "../../provider/snapshots/imports";
import {
    isTerminal,
    WaitTimeoutError,
    type ImportLookup,
    type ImportRecord,
    type ImportsGateway,
    type WaitOptions,
} from "../../provider/snapshots/coalescing/imports-gateway";
import { isAlreadyGone } from "../../provider/snapshots/coalescing/purge-batcher";
import { systemClock, type Clock } from "../../provider/util/clock";

export class NaiveImports implements ImportsGateway {
    constructor(
        readonly api: SnapshotsApi,
        private readonly poll: PollSettings,
        private readonly lookup: LookupOptions = {},
        private readonly clock: Clock = systemClock,
    ) {}

    get(id: string): Promise<ImportLookup> {
        return lookUpImport(this.api, id, this.lookup);
    }

    async wait(id: string, o: WaitOptions): Promise<ImportRecord | undefined> {
        let interval = this.poll.initialMs;
        let last: string | undefined;
        for (;;) {
            const lookup = await this.get(id);
            if (lookup.kind === "gone") return undefined;
            // An answer that proves nothing: poll on until the deadline.
            if (lookup.kind === "found") {
                const record: ImportRecord = lookup.record;
                if (record.importStatus !== last) {
                    last = record.importStatus ?? undefined;
                    o.onStatus(record);
                }
                if (isTerminal(record.importStatus)) return record;
            }
            if (this.clock.now() + interval > o.deadline) throw new WaitTimeoutError(last);
            await this.clock.sleep(interval);
            interval = Math.min(this.poll.maxMs, Math.round(interval * 1.5));
        }
    }

    async purge(id: string): Promise<void> {
        try {
            await purgeImportedSnapshots(this.api.client, [id]);
        } catch (err) {
            if (!isAlreadyGone(err)) throw err;
        }
    }

    noteWrite(): void {
        // Nothing is cached.
    }

    list(): Promise<ImportRecord[]> {
        return listImportResults(this.api);
    }
}
