// Time as the Graph client sees it. The throttle, the retry waits and Retry-After dates read it through this
// interface so tests can run them on a fake clock instead of asserting wall-clock bounds.

import { setTimeout as wait } from "node:timers/promises";

export interface Clock {
    /** Epoch milliseconds. */
    now(): number;
    /** Resolves after `ms` (at once for 0 or less); rejects with the signal's reason when it aborts. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) => wait(Math.max(0, ms), undefined, signal ? { signal } : undefined),
};
