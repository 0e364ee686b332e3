// Time as a dependency: code that waits or reads the time takes a Clock, so tests drive it with a fake one instead
// of asserting wall-clock bounds on a busy machine.
import { setTimeout as delay } from "node:timers/promises";

/** A pending timer; clear() is a no-op once it fired. */
export interface Timer {
    clear(): void;
}

export interface Clock {
    /** Epoch milliseconds. */
    now(): number;
    /** Resolves after `ms` (rejects with the signal's reason when aborted). */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** Calls `fn` once after `ms`. */
    setTimeout(fn: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) => delay(Math.max(0, ms), undefined, { signal }),
    setTimeout(fn, ms) {
        const handle = setTimeout(fn, Math.max(0, ms));
        return { clear: () => clearTimeout(handle) };
    },
};
