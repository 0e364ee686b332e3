// A Clock that moves only when the test says so: timers and sleeps fire in time order as advance() passes them.
import type { Clock, Timer } from "../../provider/util/clock";

interface Pending {
    at: number;
    seq: number;
    fire(): void;
    cleared: boolean;
}

export class FakeClock implements Clock {
    private time: number;
    private seq = 0;
    private pending: Pending[] = [];

    constructor(start = 1_700_000_000_000) {
        this.time = start;
    }

    now(): number {
        return this.time;
    }

    setTimeout(fn: () => void, ms: number): Timer {
        const p: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fire: fn, cleared: false };
        this.pending.push(p);
        return { clear: () => void (p.cleared = true) };
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        return new Promise((resolve, reject) => {
            if (signal?.aborted) return reject(signal.reason);
            const timer = this.setTimeout(resolve, ms);
            signal?.addEventListener(
                "abort",
                () => {
                    timer.clear();
                    reject(signal.reason);
                },
                { once: true },
            );
        });
    }

    /** Timers not yet fired or cleared. */
    get timers(): number {
        return this.pending.filter((p) => !p.cleared).length;
    }

    /**
     * Moves time forward by `ms`, firing due timers in order; between timers, lets promise callbacks (and anything
     * they schedule on the fake clock) run, so a chain of sleeps advances as it would in real time.
     */
    async advance(ms: number): Promise<void> {
        const end = this.time + ms;
        await settle();
        for (;;) {
            const next = this.pending
                .filter((p) => !p.cleared && p.at <= end)
                .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
            if (!next) break;
            this.time = next.at;
            next.cleared = true;
            next.fire();
            await settle();
        }
        this.pending = this.pending.filter((p) => !p.cleared);
        this.time = end;
        await settle();
    }
}

/** Lets pending promise callbacks and immediates run (a few turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
