// Client-wide pacing. Graph throttles per app and tenant, not per request: once it answers 429 with Retry-After,
// every request of this client waits until that moment has passed instead of each finding out on its own (and
// each throttled request counts against the limit again). A cap on requests in flight keeps a large Pulumi
// program (many resources in parallel) from bursting into the limit in the first place, and the cap adapts:
// each 429 halves it (down to 1), and it grows back by one after a run of successes (AIMD, as TCP does).

import { systemClock, type Clock } from "../util/clock";

export interface ThrottleOptions {
    /** Requests allowed in flight at once (default 8). */
    maxInFlight?: number;
    /** Time for pauses (default: the real clock). */
    clock?: Clock;
}

/** Thrown by acquire() when the pause lasts past the caller's deadline: waiting would be pointless. */
export class ThrottleDeadlineError extends Error {
    constructor(readonly pausedForMs: number) {
        super(`Graph asked this client to pause for ${pausedForMs} ms, past the call's deadline`);
        this.name = "ThrottleDeadlineError";
    }
}

/** Successes needed before the adaptive limit grows by one. */
const SUCCESSES_PER_STEP = 20;

export class Throttle {
    readonly maxInFlight: number;
    private readonly clock: Clock;
    private active = 0;
    private allowed: number;
    private successes = 0;
    private until = 0;
    private readonly slotWaiters: Array<() => void> = [];

    constructor(options: ThrottleOptions = {}) {
        this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 8));
        this.allowed = this.maxInFlight;
        this.clock = options.clock ?? systemClock;
    }

    /** The in-flight limit now in force (between 1 and maxInFlight). */
    get limit(): number {
        return this.allowed;
    }

    /** Graph throttled a request: halve the in-flight limit for everyone. */
    throttled(): void {
        this.allowed = Math.max(1, Math.floor(this.allowed / 2));
        this.successes = 0;
    }

    /** A request went through: after a run of them, allow one more in flight. */
    succeeded(): void {
        if (this.allowed >= this.maxInFlight) return;
        if (++this.successes >= SUCCESSES_PER_STEP) {
            this.successes = 0;
            this.allowed++;
            this.slotWaiters.shift()?.();
        }
    }

    /** Requests of this client wait until at least `ms` from now (a later pause never shortens an earlier one). */
    pause(ms: number): void {
        if (!(ms > 0)) return;
        this.until = Math.max(this.until, this.clock.now() + ms);
    }

    /** Epoch ms until which requests wait (0 or past when not paused). */
    get pausedUntil(): number {
        return this.until;
    }

    get inFlight(): number {
        return this.active;
    }

    get waiting(): number {
        return this.slotWaiters.length;
    }

    /**
     * Waits for the pause to pass and for a free slot, then holds the slot until the returned release is called.
     * Rejects at once with ThrottleDeadlineError when the pause ends after `deadlineAt`.
     */
    async acquire(deadlineAt: number = Number.POSITIVE_INFINITY): Promise<() => void> {
        for (;;) {
            const wait = this.until - this.clock.now();
            if (wait > 0) {
                if (this.until > deadlineAt) throw new ThrottleDeadlineError(wait);
                await this.clock.sleep(wait);
                continue;
            }
            if (this.active < this.allowed) break;
            await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
            // A pause may have begun while we queued: loop to honour it.
        }
        this.active++;
        let released = false;
        return () => {
            if (released) return;
            released = true;
            this.active--;
            if (this.active < this.allowed) this.slotWaiters.shift()?.();
        };
    }
}
