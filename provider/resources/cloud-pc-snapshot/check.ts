// check(): everything knowable before Graph is called. Each failure names the property and says how to fix it;
// values not known yet (preview) are skipped.
import { Failures, type CheckResult } from "../../validation/failures";
import { brief, checkGuid, checkStorageAccountId } from "../../validation/rules";
import { checkHiddenInput, HIDDEN_INPUT } from "../../validation/hidden-input";
import { checkSettingsInput, SETTINGS_INPUT } from "../../validation/settings-input";
import { isUnknown } from "../../validation/unknown";
import { checkWaiting } from "../../validation/waiting";
import { ACCESS_TIERS, type CloudPcSnapshotInputs } from "./types";

const KNOWN_INPUTS = new Set([
    "cloudPcId",
    "storageAccountId",
    "accessTier",
    "waitForCompletion",
    "timeoutMinutes",
    SETTINGS_INPUT,
    "__provider",
    HIDDEN_INPUT,
]);

const absent = (v: unknown): boolean => v === undefined || v === null || v === "";

export function checkCloudPcSnapshot(news: Record<string, unknown>): CheckResult {
    const f = new Failures();
    const inputs: Record<string, unknown> = { ...news };

    f.rejectUnknownInputs(news, KNOWN_INPUTS, "CloudPcSnapshot");

    const pc = news.cloudPcId;
    if (absent(pc))
        f.add(
            "cloudPcId",
            "is required: the id (GUID) of the Cloud PC to snapshot, e.g. from the Intune admin center or Graph's cloudPCs list.",
        );
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
            f.add(
                "accessTier",
                "applies only to the copy in a storage account: set storageAccountId too, or remove accessTier.",
            );
        }
    }

    checkWaiting(news, inputs, f);
    checkSettingsInput(news, inputs, f);
    checkHiddenInput(news, f, "CloudPcSnapshot");

    return { inputs, failures: f.list };
}

/** The typed view of checked inputs; only call when check() reported no failures and nothing is unknown. */
export function asInputs(inputs: Record<string, unknown>): CloudPcSnapshotInputs {
    return inputs as unknown as CloudPcSnapshotInputs;
}
