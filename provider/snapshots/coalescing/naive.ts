// The per-resource behaviour: each caller reads, polls (with its own backoff) and purges by itself.
import { sleep } from "../../graph/throttle";
import { apiOf, type ApiTarget, type SnapshotsApi } from "../api";
import { listImportResults, lookUpImport, type LookupOptions } from "../import-results";
import { purgeImportedSnapshots } from "../imports";
import { isTerminal, WaitTimeoutError, type ImportLookup, type ImportRecord, type ImportsGateway, type WaitOptions } from "./imports-gateway";
import { isAlreadyGone } from "./purge-batcher";

export class NaiveImports implements ImportsGateway {
    readonly api: SnapshotsApi;

    constructor(
        target: ApiTarget,
        private readonly poll: { initialMs: number; maxMs: number },
        private readonly lookup: LookupOptions = {},
    ) {
        this.api = apiOf(target);
    }

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
            if (Date.now() + interval > o.deadline) throw new WaitTimeoutError(last);
            await sleep(interval);
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
