// How a restore point is recorded in Pulumi state: the inputs plus every documented property, nulls for the
// missing ones (never undefined).
import { restorePointProperties } from "../../snapshots/restore-points";
import type { CloudPcSnapshot } from "../../snapshots/types";
import type { CloudPcSnapshotInputs, CloudPcSnapshotOutputs } from "./types";

export function toOutputs(
    inputs: CloudPcSnapshotInputs,
    snapshotId: string,
    snapshot: CloudPcSnapshot | undefined,
): CloudPcSnapshotOutputs {
    return {
        cloudPcId: inputs.cloudPcId,
        storageAccountId: inputs.storageAccountId ?? null,
        accessTier: inputs.accessTier ?? null,
        waitForCompletion: inputs.waitForCompletion,
        timeoutMinutes: inputs.timeoutMinutes,
        settings: inputs.settings ?? null,
        snapshotId,
        ...restorePointProperties(snapshot),
    };
}

export function isReady(s: CloudPcSnapshot | undefined): boolean {
    return s?.status === "ready";
}
