// Clocks for tests of code that waits (provider/util/clock.ts).
//
// FakeClock is virtual: time moves only when a sleeper is woken, to the moment it asked for, earliest first.
// By default each sleep wakes on a later turn of the event loop, so retries and Retry-After pauses take no real
// time; with `manual`, sleepers wait until the test wakes them (wakeNext) or moves time (advance), so it can look
// at what is waiting meanwhile.
//
// RecordingClock is the real clock, recording what it was asked to sleep: for tests whose other parts (an
// emulator, pollers) run in real time, so a virtual clock would jump past what they do.
import { systemClock, type Clock, type Timer } from "../../provider/util/clock";

interface Sleeper {
    wake: number;
    resolve(): void;
}

export class FakeClock implements Clock {
    /** Every wait asked for, in order. */
    readonly sleeps: number[] = [];
    private t: number;
    private readonly sleepers: Sleeper[] = [];

    constructor(private readonly options: { start?: number; manual?: boolean } = {}) {
        this.t = options.start ?? Date.parse("2026-01-01T00:00:00Z");
    }

    now(): number {
        return this.t;
    }

    /** Sleepers not woken yet. */
    get pending(): number {
        return this.sleepers.length;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        signal?.throwIfAborted();
        this.sleeps.push(ms);
        return new Promise<void>((resolve, reject) => {
            const sleeper: Sleeper = { wake: this.t + Math.max(0, ms), resolve };
            this.sleepers.push(sleeper);
            signal?.addEventListener(
                "abort",
                () => {
                    this.drop(sleeper);
                    reject(signal.reason);
                },
                { once: true },
            );
            // One wake-up per sleep, on a later turn: whoever sleeps meanwhile with an earlier wake goes first.
            if (!this.options.manual) setImmediate(() => this.wakeNext());
        });
    }

    /**
     * Moves time forward by `ms`, waking the sleepers due by then in time order; between wake-ups, lets promise
     * callbacks (and what they schedule on this clock) run, so a chain of sleeps advances as in real time.
     */
    async advance(ms: number): Promise<void> {
        const end = this.t + ms;
        await settle();
        while (this.sleepers.some((s) => s.wake <= end)) {
            this.wakeNext();
            await settle();
        }
        this.t = end;
        await settle();
    }

    private drop(sleeper: Sleeper): void {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
    }

    /** Wakes the earliest sleeper, moving time to its wake-up. */
    wakeNext(): boolean {
        if (this.sleepers.length === 0) return false;
        let i = 0;
        for (let j = 1; j < this.sleepers.length; j++) if (this.sleepers[j]!.wake < this.sleepers[i]!.wake) i = j;
        const [s] = this.sleepers.splice(i, 1);
        this.t = Math.max(this.t, s!.wake);
        s!.resolve();
        return true;
    }

    /** A timer is a sleep whose wake-up calls `fn`; cleared, it is dropped unwoken. */
    setTimeout(fn: () => void, ms: number): Timer {
        const before = this.sleepers.length;
        let cleared = false;
        void this.sleep(ms).then(() => cleared || fn());
        const sleeper = this.sleepers[before];
        return {
            clear: () => {
                cleared = true;
                if (sleeper) this.drop(sleeper);
            },
        };
    }

    /** Wakes everyone asleep now, earliest first. */
    wakeAll(): void {
        while (this.wakeNext());
    }
}

export class RecordingClock implements Clock {
    readonly sleeps: number[] = [];

    now(): number {
        return systemClock.now();
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        this.sleeps.push(ms);
        return systemClock.sleep(ms, signal);
    }

    setTimeout(fn: () => void, ms: number): Timer {
        return systemClock.setTimeout(fn, ms);
    }
}

/** Resolves once `cond` holds, checking on each turn of the event loop (for I/O to happen in between). */
export async function until(cond: () => boolean, what: string, turns = 100_000): Promise<void> {
    for (let i = 0; i < turns; i++) {
        if (cond()) return;
        await new Promise((r) => setImmediate(r));
    }
    throw new Error(`never happened: ${what}`);
}

/** Lets pending promise callbacks and immediates run (a few turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
