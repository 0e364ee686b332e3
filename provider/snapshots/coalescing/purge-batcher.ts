// Gathers concurrent purges for a short window and sends them together, in batches of a bounded size. Graph answers
// a batch with one 204 and no per-id outcome, and (in the emulator, and plausibly in Graph) refuses the whole batch
// when one id is unknown or in use: a failed batch falls back to one request per id, so one bad id never blocks the
// others and no purge is reported done unless Graph said so (or said the id is already gone).
import { GraphError } from "../../graph/errors";
import { systemClock, type Clock, type Timer } from "../../util/clock";

export interface PurgeBatcherOptions {
    /** A batch is sent once no new purge arrived for this long (default 50 ms)... */
    quietMs?: number;
    /** ...or once its first purge waited this long (default 500 ms), or when it is full. */
    maxWaitMs?: number;
    /**
     * A batch that already holds this many purges (default 10) is part of a fleet's destroy: it waits for more with
     * the longer windows below (defaults 150 ms quiet, 2000 ms in all), so a pause of the engine or of the garbage
     * collector mid-stream does not split it.
     */
    streamAfter?: number;
    streamQuietMs?: number;
    streamMaxWaitMs?: number;
    batchSize?: number;
    clock?: Clock;
    /** Told of each request as it is sent (the benchmark counts batches and single-id fallbacks). */
    observer?: PurgeObserver;
}

export interface PurgeObserver {
    batch?(ids: readonly string[]): void;
    fallback?(id: string): void;
}

interface Pending {
    id: string;
    resolve: () => void;
    reject: (err: unknown) => void;
}

export function isAlreadyGone(err: unknown): boolean {
    return err instanceof GraphError && (err.status === 404 || /notfound/i.test(err.code));
}

export class PurgeBatcher {
    private queue: Pending[] = [];
    private timer?: Timer;
    private firstAt = 0;
    readonly quietMs: number;
    readonly maxWaitMs: number;
    readonly streamAfter: number;
    readonly streamQuietMs: number;
    readonly streamMaxWaitMs: number;
    readonly batchSize: number;
    private readonly clock: Clock;
    private readonly observer: PurgeObserver;

    constructor(
        private readonly send: (ids: string[]) => Promise<void>,
        o: PurgeBatcherOptions = {},
    ) {
        this.quietMs = o.quietMs ?? 50;
        this.maxWaitMs = o.maxWaitMs ?? 500;
        this.streamAfter = o.streamAfter ?? 10;
        this.streamQuietMs = Math.max(this.quietMs, o.streamQuietMs ?? 150);
        this.streamMaxWaitMs = Math.max(this.maxWaitMs, o.streamMaxWaitMs ?? 2000);
        this.batchSize = Math.max(1, o.batchSize ?? 100);
        this.clock = o.clock ?? systemClock;
        this.observer = o.observer ?? {};
    }

    /** Resolves once Graph purged the id (or reported it gone); rejects with that id's own error. */
    purge(id: string): Promise<void> {
        return new Promise<void>((resolve, reject) => {
            if (this.queue.length === 0) this.firstAt = this.clock.now();
            this.queue.push({ id, resolve, reject });
            if (this.queue.length >= this.batchSize) return this.flush();
            // Deletes reach the provider spread out: wait while they keep coming, within maxWaitMs. The window stays
            // short for a few: the engine has at most --parallel deletes outstanding (default 4 per CPU) and sends the
            // next only when one finishes, so waiting longer would not fill the batch, only slow the destroy. Only a
            // batch that is filling up (a fleet's destroy at a high --parallel) waits longer (docs/BENCHMARKS.md).
            this.timer?.clear();
            const streaming = this.queue.length >= this.streamAfter;
            const quiet = streaming ? this.streamQuietMs : this.quietMs;
            const maxWait = streaming ? this.streamMaxWaitMs : this.maxWaitMs;
            const wait = Math.min(quiet, Math.max(0, this.firstAt + maxWait - this.clock.now()));
            this.timer = this.clock.setTimeout(() => this.flush(), wait);
        });
    }

    private flush(): void {
        this.timer?.clear();
        this.timer = undefined;
        while (this.queue.length > 0) {
            void this.sendBatch(this.queue.splice(0, this.batchSize));
        }
    }

    private async sendBatch(batch: Pending[]): Promise<void> {
        // Duplicate ids (two deletes of one resource) share one entry in the request.
        const ids = [...new Set(batch.map((p) => p.id))];
        try {
            this.observer.batch?.(ids);
            await this.send(ids);
            batch.forEach((p) => p.resolve());
            return;
        } catch (err) {
            if (ids.length === 1) {
                batch.forEach((p) => (isAlreadyGone(err) ? p.resolve() : p.reject(err)));
                return;
            }
        }
        await Promise.all(
            ids.map(async (id) => {
                const mine = batch.filter((p) => p.id === id);
                try {
                    this.observer.fallback?.(id);
                    await this.send([id]);
                    mine.forEach((p) => p.resolve());
                } catch (err) {
                    mine.forEach((p) => (isAlreadyGone(err) ? p.resolve() : p.reject(err)));
                }
            }),
        );
    }
}
