// check(): everything knowable before Graph is called. Each failure names the property and says how to fix it;
// values not known yet (preview) are skipped.
import { Failures, type CheckResult } from "../../validation/failures";
import { brief, checkGuid, checkStorageAccountId, describeType } from "../../validation/rules";
import { isUnknown } from "../../validation/unknown";
import { ACCESS_TIERS, DEFAULT_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES, type CloudPcSnapshotInputs } from "./types";

const KNOWN_INPUTS = new Set(["cloudPcId", "storageAccountId", "accessTier", "waitForCompletion", "timeoutMinutes", "__provider"]);

const absent = (v: unknown): boolean => v === undefined || v === null || v === "";

export function checkCloudPcSnapshot(news: Record<string, unknown>): CheckResult {
    const f = new Failures();
    const inputs: Record<string, unknown> = { ...news };

    f.rejectUnknownInputs(news, KNOWN_INPUTS, "CloudPcSnapshot");

    const pc = news.cloudPcId;
    if (absent(pc)) f.add("cloudPcId", "is required: the id (GUID) of the Cloud PC to snapshot, e.g. from the Intune admin center or Graph's cloudPCs list.");
    else if (!isUnknown(pc)) f.add("cloudPcId", checkGuid(pc, "the Cloud PC's id"));

    const account = news.storageAccountId;
    if (absent(account)) delete inputs.storageAccountId;
    else if (!isUnknown(account)) f.add("storageAccountId", checkStorageAccountId(account));

    const tier = news.accessTier;
    if (absent(tier)) {
        // Graph's default; meaningful only with a storage account.
        if (absent(account)) delete inputs.accessTier;
        else inputs.accessTier = "hot";
    } else if (!isUnknown(tier)) {
        if (typeof tier !== "string" || !(ACCESS_TIERS as readonly string[]).includes(tier)) {
            f.add("accessTier", `must be one of ${ACCESS_TIERS.map((t) => `"${t}"`).join(", ")}; got ${brief(tier)}.`);
        } else if (absent(account)) {
            f.add("accessTier", "applies only to the copy in a storage account: set storageAccountId too, or remove accessTier.");
        }
    }

    const wait = news.waitForCompletion;
    if (wait === undefined || wait === null) inputs.waitForCompletion = true;
    else if (!isUnknown(wait) && typeof wait !== "boolean") f.add("waitForCompletion", `must be true or false, got ${describeType(wait)}.`);

    const timeout = news.timeoutMinutes;
    if (timeout === undefined || timeout === null) inputs.timeoutMinutes = DEFAULT_TIMEOUT_MINUTES;
    else if (!isUnknown(timeout) && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MINUTES)) {
        f.add("timeoutMinutes", `must be a number of minutes above 0 and at most ${MAX_TIMEOUT_MINUTES}; got ${brief(timeout)}.`);
    }

    return { inputs, failures: f.list };
}

/** The typed view of checked inputs; only call when check() reported no failures and nothing is unknown. */
export function asInputs(inputs: Record<string, unknown>): CloudPcSnapshotInputs {
    return inputs as unknown as CloudPcSnapshotInputs;
}
