// The shared behaviour for a fleet: every resource of the provider process waits on one poller, reads through one
// list pass (all pages) per window, and purges through one batcher. List requests per poll interval stay
// ceil(records / page size) whatever the number of resources.
import { GraphError, GraphTransportError } from "../../graph/errors";
import { sleep } from "../../graph/throttle";
import type { GraphClient } from "../../graph/client";
import { canListImportResults, listImportResults, lookUpImport, lookUpImports, type LookupOptions } from "../import-results";
import { LookupBatcher } from "./lookup-batcher";
import { NoRouteError } from "../route-fallback";
import { purgeImportedSnapshots } from "../imports";
import { isTerminal, WaitTimeoutError, type ImportLookup, type ImportRecord, type ImportsGateway, type WaitOptions } from "./imports-gateway";
import { Pacer } from "./pacer";
import { PurgeBatcher } from "./purge-batcher";
import { SingleFlight } from "./single-flight";

interface Watcher extends WaitOptions {
    last?: string;
    misses: number;
    resolve(record: ImportRecord | undefined): void;
    reject(err: unknown): void;
}

export interface CoalescedOptions {
    /** The shared poller's interval. */
    pollIntervalMs: number;
    /** How long a read waits for others to join its list pass. */
    windowMs?: number;
    purgeBatchSize?: number;
    lookup?: LookupOptions;
}

/** A record missing from this many consecutive passes is gone (one miss could be a listing race). */
const MISSES_FOR_GONE = 2;

/**
 * A read may join the list pass in flight, or use one completed this recently, so a fleet's refresh (whose reads
 * reach the provider spread over seconds) costs one pass. The answer is never older than this process's own
 * last write (see lastWriteAt), and at most this stale otherwise.
 */
const READ_REUSE_MS = 10_000;

export class CoalescedImports implements ImportsGateway {
    /** List passes for reads and `list()`: a burst of reads (a fleet's refresh) shares them. */
    readonly lists: SingleFlight<ImportRecord[]>;
    /** List passes for the poller: always fresh, and never reused by reads (their answer is for waiting, not refresh). */
    readonly polls: SingleFlight<ImportRecord[]>;
    readonly purges: PurgeBatcher;
    /** Per-id reads where Graph cannot list: gathered into $batch requests. */
    readonly byId: LookupBatcher;
    private readonly watchers = new Map<string, Watcher[]>();
    /** Reads and waits answered by one pass resume a slice at a time (see pacer.ts). */
    private readonly pacer = new Pacer();
    /** When this process last changed import records (an import or a purge): reads never use an older pass. */
    private lastWriteAt = 0;
    private polling = false;

    constructor(private readonly client: GraphClient, private readonly o: CoalescedOptions) {
        this.lists = new SingleFlight(() => listImportResults(client), o.windowMs ?? 25);
        this.polls = new SingleFlight(() => listImportResults(client), 0);
        this.byId = new LookupBatcher((ids) => lookUpImports(client, ids, o.lookup));
        this.purges = new PurgeBatcher((ids) => purgeImportedSnapshots(client, ids), { batchSize: o.purgeBatchSize });
    }

    list(): Promise<ImportRecord[]> {
        return this.lists.getRecent(this.lastWriteAt, READ_REUSE_MS);
    }

    noteWrite(): void {
        this.lastWriteAt = Date.now();
    }

    async get(id: string): Promise<ImportLookup> {
        const found = (await this.lookups([id], this.lastWriteAt)).get(id.toLowerCase());
        await this.pacer.turn();
        // A list pass's miss proves nothing (offset paging can skip a live record): ask for this one id.
        return found?.kind === "found" || found?.kind === "gone" ? found : this.byId.get(id);
    }

    private lookUp(id: string): Promise<ImportLookup> {
        return lookUpImport(this.client, id, this.o.lookup);
    }

    async purge(id: string): Promise<void> {
        try {
            await this.purges.purge(id);
        } finally {
            this.noteWrite();
        }
    }

    wait(id: string, options: WaitOptions): Promise<ImportRecord | undefined> {
        return new Promise((resolve, reject) => {
            const key = id.toLowerCase();
            const list = this.watchers.get(key) ?? [];
            list.push({
                ...options, misses: 0,
                resolve: (record) => void this.pacer.turn().then(() => resolve(record)),
                reject: (err) => void this.pacer.turn().then(() => reject(err)),
            });
            this.watchers.set(key, list);
            if (!this.polling) void this.poll();
        });
    }

    /**
     * What is known of these ids: from the shared list pass (a miss there is "unknown"), or per id where Graph
     * cannot list. `notBefore` set: a recent list pass will do (reads); unset: the next pass (the poller).
     */
    private async lookups(ids: string[], notBefore?: number): Promise<Map<string, ImportLookup>> {
        if (canListImportResults(this.client)) {
            try {
                const all = await (notBefore === undefined ? this.polls.get() : this.lists.getRecent(notBefore, READ_REUSE_MS));
                const byId = new Map(all.filter((r) => r.snapshotId).map((r) => [r.snapshotId!.toLowerCase(), r]));
                return new Map(ids.map((id) => {
                    const record = byId.get(id.toLowerCase());
                    const lookup: ImportLookup = record ? { kind: "found", record } : { kind: "unknown", why: "missed by a list pass" };
                    return [id.toLowerCase(), lookup] as const;
                }));
            } catch (err) {
                if (!(err instanceof NoRouteError)) throw err;
            }
        }
        if (notBefore !== undefined) return new Map(); // reads: get() asks by id, gathered with other reads
        return lookUpImports(this.client, ids, this.o.lookup);
    }

    private async poll(): Promise<void> {
        this.polling = true;
        try {
            while (this.watchers.size > 0) {
                await sleep(this.o.pollIntervalMs);
                let records: Map<string, ImportLookup> | undefined;
                let failure: unknown;
                try {
                    records = await this.lookups([...this.watchers.keys()]);
                } catch (err) {
                    failure = err;
                }
                this.deliver(records, failure);
            }
        } finally {
            this.polling = false;
        }
    }

    /**
     * A record missing from consecutive list passes is looked up by its id before the waiter hears it is gone: "gone"
     * fails a create whose import may live on (an orphan that blocks the user). Anything short of proof: wait on.
     */
    private confirmGone(id: string, w: Watcher): void {
        this.lookUp(id).then(
            (lookup) => (lookup.kind === "gone" ? w.resolve(undefined) : this.rewatch(id, w, lookup.kind === "found" ? lookup.record : undefined)),
            (err: unknown) => (isTransient(err) ? this.rewatch(id, w) : w.reject(err)),
        );
    }

    private rewatch(id: string, w: Watcher, record?: ImportRecord): void {
        w.misses = 0;
        if (record) {
            if (record.importStatus !== w.last) {
                w.last = record.importStatus ?? undefined;
                w.onStatus(record);
            }
            if (isTerminal(record.importStatus)) return w.resolve(record);
        }
        if (Date.now() + this.o.pollIntervalMs > w.deadline) return w.reject(new WaitTimeoutError(w.last));
        const list = this.watchers.get(id) ?? [];
        list.push(w);
        this.watchers.set(id, list);
        if (!this.polling) void this.poll();
    }

    private deliver(records: Map<string, ImportLookup> | undefined, failure: unknown): void {
        const now = Date.now();
        for (const [id, list] of this.watchers) {
            for (const w of [...list]) {
                const done = (settle: () => void) => {
                    list.splice(list.indexOf(w), 1);
                    settle();
                };
                if (records) {
                    const lookup = records.get(id);
                    const record = lookup?.kind === "found" ? lookup.record : undefined;
                    if (lookup?.kind === "gone") { done(() => w.resolve(undefined)); continue; }
                    if (!record) {
                        // Missed by a list pass: confirm by id after a second miss. Unknown by id: wait on.
                        if (canListImportResults(this.client) && ++w.misses >= MISSES_FOR_GONE) {
                            done(() => this.confirmGone(id, w));
                            continue;
                        }
                    } else {
                        w.misses = 0;
                        if (record.importStatus !== w.last) {
                            w.last = record.importStatus ?? undefined;
                            w.onStatus(record);
                        }
                        if (isTerminal(record.importStatus)) { done(() => w.resolve(record)); continue; }
                    }
                } else if (!isTransient(failure)) {
                    done(() => w.reject(failure));
                    continue;
                }
                // A transient failure (after the client's own retries) only costs this pass: wait on until the deadline.
                if (now + this.o.pollIntervalMs > w.deadline) done(() => w.reject(new WaitTimeoutError(w.last)));
            }
            if (list.length === 0) this.watchers.delete(id);
        }
    }
}

function isTransient(err: unknown): boolean {
    if (err instanceof GraphTransportError) return true;
    return err instanceof GraphError && (err.status === 429 || err.status >= 500);
}
