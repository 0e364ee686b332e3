// The shared behaviour for a fleet: every resource of the provider process waits on one poller, reads through one
// list pass (all pages) per window, and purges through one batcher. List requests per poll interval stay
// ceil(records / page size) whatever the number of resources.
import type { SnapshotsApi } from "../api";
import {
    canListImportResults,
    listImportResults,
    lookUpImport,
    lookUpImports,
    type LookupOptions,
} from "../import-results";
import { LookupBatcher } from "./lookup-batcher";
import { NoRouteError } from "../route-fallback";
import { purgeImportedSnapshots } from "../imports";
import {
    WaitTimeoutError,
    type ImportLookup,
    type ImportRecord,
    type ImportsGateway,
    type WaitOptions,
} from "./imports-gateway";
import { Pacer } from "./pacer";
import { PurgeBatcher, type PurgeObserver } from "./purge-batcher";
import { watch, type WatchEvent, type WatchState } from "../reconcile";
import { systemClock, type Clock } from "../../util/clock";
import { SingleFlight } from "./single-flight";

interface Watcher extends WaitOptions {
    state: WatchState;
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
    clock?: Clock;
    /** Told of list passes and purge requests as they start (the benchmark counts them). */
    observer?: CoalescedObserver;
}

export interface CoalescedObserver extends PurgeObserver {
    listPass?(purpose: "read" | "poll"): void;
}

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
    private readonly clock: Clock;

    constructor(
        readonly api: SnapshotsApi,
        private readonly o: CoalescedOptions,
    ) {
        const client = api.client;
        const clock = (this.clock = o.clock ?? systemClock);
        const observer = o.observer ?? {};
        const list = () => listImportResults(api);
        this.lists = new SingleFlight(list, o.windowMs ?? 25, clock, () => observer.listPass?.("read"));
        this.polls = new SingleFlight(list, 0, clock, () => observer.listPass?.("poll"));
        this.byId = new LookupBatcher((ids) => lookUpImports(api, ids, o.lookup), { clock });
        this.purges = new PurgeBatcher((ids) => purgeImportedSnapshots(client, ids), {
            batchSize: o.purgeBatchSize,
            clock,
            observer,
        });
    }

    list(): Promise<ImportRecord[]> {
        return this.lists.getRecent(this.lastWriteAt, READ_REUSE_MS);
    }

    noteWrite(): void {
        this.lastWriteAt = this.clock.now();
    }

    async get(id: string): Promise<ImportLookup> {
        const found = (await this.lookups([id], this.lastWriteAt)).answers.get(id.toLowerCase());
        await this.pacer.turn();
        // A list pass's miss proves nothing (offset paging can skip a live record): ask for this one id.
        return found?.kind === "found" || found?.kind === "gone" ? found : this.byId.get(id);
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
                ...options,
                state: { misses: 0 },
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
    private async lookups(
        ids: string[],
        notBefore?: number,
    ): Promise<{ answers: Map<string, ImportLookup>; fromList: boolean }> {
        if (canListImportResults(this.api)) {
            try {
                const all = await (notBefore === undefined
                    ? this.polls.get()
                    : this.lists.getRecent(notBefore, READ_REUSE_MS));
                const byId = new Map(all.filter((r) => r.snapshotId).map((r) => [r.snapshotId!.toLowerCase(), r]));
                return {
                    fromList: true,
                    answers: new Map(
                        ids.map((id) => {
                            const record = byId.get(id.toLowerCase());
                            const lookup: ImportLookup = record
                                ? { kind: "found", record }
                                : { kind: "unknown", why: "missed by a list pass" };
                            return [id.toLowerCase(), lookup] as const;
                        }),
                    ),
                };
            } catch (err) {
                if (!(err instanceof NoRouteError)) throw err;
            }
        }
        // Reads: get() asks by id, gathered with other reads.
        if (notBefore !== undefined) return { fromList: false, answers: new Map() };
        return { fromList: false, answers: await lookUpImports(this.api, ids, this.o.lookup) };
    }

    private async poll(): Promise<void> {
        this.polling = true;
        try {
            while (this.watchers.size > 0) {
                await this.clock.sleep(this.o.pollIntervalMs);
                let found: Awaited<ReturnType<CoalescedImports["lookups"]>> | undefined;
                let failure: unknown;
                try {
                    found = await this.lookups([...this.watchers.keys()]);
                } catch (err) {
                    failure = err;
                }
                for (const [id, list] of this.watchers) {
                    const event: WatchEvent = found
                        ? {
                              kind: "lookup",
                              fromList: found.fromList,
                              lookup: found.answers.get(id) ?? { kind: "unknown", why: "no answer" },
                          }
                        : { kind: "failed", error: failure };
                    for (const w of [...list]) if (this.step(id, w, event) !== "wait") list.splice(list.indexOf(w), 1);
                    if (list.length === 0) this.watchers.delete(id);
                }
            }
        } finally {
            this.polling = false;
        }
    }

    /** Applies one answer to a waiter (reconcile.ts decides); "wait" when it stays in the watch list. */
    private step(id: string, w: Watcher, event: WatchEvent): "wait" | "done" {
        const next = watch(w.state, event, {
            now: this.clock.now(),
            pollIntervalMs: this.o.pollIntervalMs,
            deadline: w.deadline,
        });
        w.state = next.state;
        if (next.report) w.onStatus(next.report);
        const action = next.action;
        switch (action.kind) {
            case "wait":
                return "wait";
            case "resolve":
                w.resolve(action.record);
                break;
            case "gone":
                w.resolve(undefined);
                break;
            case "reject":
                w.reject(action.error);
                break;
            case "timeout":
                w.reject(new WaitTimeoutError(w.state.last));
                break;
            // Missed by consecutive list passes: "gone" would fail a create whose import may live on, so ask by id.
            case "confirm":
                this.confirm(id, w);
                break;
        }
        return "done";
    }

    private confirm(id: string, w: Watcher): void {
        const again = (event: WatchEvent) => {
            if (this.step(id, w, event) !== "wait") return;
            const list = this.watchers.get(id) ?? [];
            list.push(w);
            this.watchers.set(id, list);
            if (!this.polling) void this.poll();
        };
        lookUpImport(this.api, id, this.o.lookup).then(
            (lookup) => again({ kind: "lookup", lookup, fromList: false }),
            (error: unknown) => again({ kind: "failed", error }),
        );
    }
}
