// How the imported-snapshot lifecycle reaches Graph: one interface, two behaviours.
// - naive (the benchmark's baseline, scripts/bench/naive-gateway.ts): every resource reads, polls and purges on its own;
// - coalesced (default): one list pass serves every read in a window, one poller serves every waiting resource,
//   purges are batched. The runtime builds the coalesced one unless given another gateway factory.
import type { ImportLookup, ImportRecord } from "../import-results";
import type { SnapshotsApi } from "../api";

export type { ImportLookup, ImportRecord } from "../import-results";

export interface WaitOptions {
    /** Epoch ms after which waiting stops with a WaitTimeoutError. */
    deadline: number;
    /** Called with the record each time its importStatus changes (and on the first sighting). */
    onStatus(record: ImportRecord): void;
}

export interface ImportsGateway {
    /** The client and what it learned of Graph's routes and users: the one every read of this gateway uses. */
    readonly api: SnapshotsApi;
    /** The record, proof that it is gone, or why neither is known (import-results.ts decides). */
    get(id: string): Promise<ImportLookup>;
    /**
     * Resolves with the terminal record (succeeded/failed), or undefined once the record is proven gone. Answers
     * that prove nothing keep it waiting, until the deadline.
     */
    wait(id: string, options: WaitOptions): Promise<ImportRecord | undefined>;
    /** Purges one import; resolves when Graph purged it or says it is already gone. */
    purge(id: string): Promise<void>;
    /** Every import record of the tenant (throws NoRouteError where Graph cannot enumerate). */
    list(): Promise<ImportRecord[]>;
    /** This process just changed import records (sent an import): later reads must not use an older answer. */
    noteWrite(): void;
}

export class WaitTimeoutError extends Error {
    constructor(readonly lastStatus: string | undefined) {
        super(`still ${lastStatus ?? "running"} at the deadline`);
        this.name = "WaitTimeoutError";
    }
}

export function isTerminal(status: unknown): boolean {
    return status === "succeeded" || status === "failed";
}
