// The per-resource behaviour: each caller reads, polls (with its own backoff) and purges by itself.
import { sleep } from "../../graph/throttle";
import type { GraphClient } from "../../graph/client";
import { getImportResult, listImportResults } from "../import-results";
import { purgeImportedSnapshots } from "../imports";
import { isTerminal, WaitTimeoutError, type ImportRecord, type ImportsGateway, type WaitOptions } from "./imports-gateway";
import { isAlreadyGone } from "./purge-batcher";

export class NaiveImports implements ImportsGateway {
    constructor(private readonly client: GraphClient, private readonly poll: { initialMs: number; maxMs: number }) {}

    get(id: string): Promise<ImportRecord | undefined> {
        return getImportResult(this.client, id);
    }

    async wait(id: string, o: WaitOptions): Promise<ImportRecord | undefined> {
        let interval = this.poll.initialMs;
        let last: string | undefined;
        for (;;) {
            const record = await this.get(id);
            if (!record) return undefined;
            if (record.importStatus !== last) {
                last = record.importStatus ?? undefined;
                o.onStatus(record);
            }
            if (isTerminal(record.importStatus)) return record;
            if (Date.now() + interval > o.deadline) throw new WaitTimeoutError(last);
            await sleep(interval);
            interval = Math.min(this.poll.maxMs, Math.round(interval * 1.5));
        }
    }

    async purge(id: string): Promise<void> {
        try {
            await purgeImportedSnapshots(this.client, [id]);
        } catch (err) {
            if (!isAlreadyGone(err)) throw err;
        }
    }

    noteWrite(): void {
        // Nothing is cached.
    }

    list(): Promise<ImportRecord[]> {
        return listImportResults(this.client);
    }
}
