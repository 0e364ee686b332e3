// A virtual clock for the Graph client's waits: time moves only when a sleeper is woken, to the moment it asked
// for, earliest first. Retries and Retry-After pauses take no real time, and tests assert what was waited (and
// in which order things happened) instead of how long the wall clock ran.
import type { Clock } from "../../provider/graph/clock";

interface Sleeper {
    wake: number;
    resolve(): void;
}

export class FakeClock implements Clock {
    /** Every wait asked for, in order. */
    readonly sleeps: number[] = [];
    private t: number;
    private readonly sleepers: Sleeper[] = [];

    constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
        this.t = start;
    }

    now(): number {
        return this.t;
    }

    /** Moves time forward without anyone sleeping (e.g. a token nearing expiry). */
    advance(ms: number): void {
        this.t += ms;
    }

    sleep(ms: number, signal?: AbortSignal): Promise<void> {
        signal?.throwIfAborted();
        this.sleeps.push(ms);
        return new Promise<void>((resolve) => {
            this.sleepers.push({ wake: this.t + Math.max(0, ms), resolve });
            // One wake-up per sleep, on a later turn: whoever sleeps meanwhile with an earlier wake goes first.
            setImmediate(() => this.wakeEarliest());
        });
    }

    private wakeEarliest(): void {
        if (this.sleepers.length === 0) return;
        let i = 0;
        for (let j = 1; j < this.sleepers.length; j++) if (this.sleepers[j]!.wake < this.sleepers[i]!.wake) i = j;
        const [s] = this.sleepers.splice(i, 1);
        this.t = Math.max(this.t, s!.wake);
        s!.resolve();
    }
}
