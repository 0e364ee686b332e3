// Per-id reads of a fleet, gathered into Graph batches where there is no list function. The engine hands reads
// over one checkpoint apart, at most --parallel at a time, so a batch goes once reads stop arriving for a moment
// (quietMs), once its first read waited maxWaitMs, or once it holds 20 (Graph's limit per batch). A read never
// joins a batch already sent: it could predate what its caller just did.
import { MAX_BATCH_SIZE } from "../../graph/batch";
import type { ImportLookup } from "../import-results";
import { systemClock, type Clock, type Timer } from "../../util/clock";

type Flush = (ids: string[]) => Promise<Map<string, ImportLookup>>;

interface Waiter {
    resolve(l: ImportLookup): void;
    reject(e: unknown): void;
}

export interface LookupBatcherOptions {
    /** A batch goes once no read arrived for this long (default 60 ms)... */
    quietMs?: number;
    /** ...or once its first read waited this long (default 400 ms), or when it is full. */
    maxWaitMs?: number;
    clock?: Clock;
}

export class LookupBatcher {
    private waiting = new Map<string, Waiter[]>();
    private quiet?: Timer;
    private deadline?: Timer;
    private readonly quietMs: number;
    private readonly maxWaitMs: number;
    private readonly clock: Clock;

    constructor(
        private readonly flush: Flush,
        o: LookupBatcherOptions = {},
    ) {
        this.quietMs = o.quietMs ?? 60;
        this.maxWaitMs = o.maxWaitMs ?? 400;
        this.clock = o.clock ?? systemClock;
    }

    get(id: string): Promise<ImportLookup> {
        return new Promise((resolve, reject) => {
            const key = id.toLowerCase();
            const list = this.waiting.get(key) ?? [];
            list.push({ resolve, reject });
            this.waiting.set(key, list);
            if (this.waiting.size >= MAX_BATCH_SIZE) return void this.send();
            this.quiet?.clear();
            this.quiet = this.clock.setTimeout(() => void this.send(), this.quietMs);
            this.deadline ??= this.clock.setTimeout(() => void this.send(), this.maxWaitMs);
        });
    }

    private async send(): Promise<void> {
        this.quiet?.clear();
        this.deadline?.clear();
        this.quiet = this.deadline = undefined;
        const batch = this.waiting;
        this.waiting = new Map();
        if (batch.size === 0) return;
        try {
            const answers = await this.flush([...batch.keys()]);
            for (const [id, list] of batch) {
                const answer = answers.get(id) ?? { kind: "unknown", why: "no answer for this id in the batch" };
                for (const w of list) w.resolve(answer);
            }
        } catch (err) {
            for (const list of batch.values()) for (const w of list) w.reject(err);
        }
    }
}
