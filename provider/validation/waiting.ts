// The two inputs every long-running resource shares: whether to wait for Graph to finish, and for how long.
import type { Failures } from "./failures";
import { brief, describeType } from "./rules";
import { isUnknown } from "./unknown";

export const DEFAULT_TIMEOUT_MINUTES = 60;
export const MAX_TIMEOUT_MINUTES = 24 * 60;

/** Checks `waitForCompletion` and `timeoutMinutes` in `news`, writing their defaults into `inputs`. */
export function checkWaiting(news: Record<string, unknown>, inputs: Record<string, unknown>, f: Failures): void {
    const wait = news.waitForCompletion;
    if (wait === undefined || wait === null) inputs.waitForCompletion = true;
    else if (!isUnknown(wait) && typeof wait !== "boolean")
        f.add("waitForCompletion", `must be true or false, got ${describeType(wait)}.`);

    const timeout = news.timeoutMinutes;
    if (timeout === undefined || timeout === null) inputs.timeoutMinutes = DEFAULT_TIMEOUT_MINUTES;
    else if (
        !isUnknown(timeout) &&
        (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MINUTES)
    ) {
        f.add(
            "timeoutMinutes",
            `must be a number of minutes above 0 and at most ${MAX_TIMEOUT_MINUTES}; got ${brief(timeout)}.`,
        );
    }
}
