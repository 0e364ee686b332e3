// Time as the provider sees it, so that waits and deadlines can be driven by a test's own clock.
import { setTimeout as delay } from "node:timers/promises";

export interface Clock {
    /** Epoch ms. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => delay(Math.max(0, ms)),
};
