// The two Cloud PC actions that are not resources (contract E10, E11): one-off operations with no state to manage,
// offered as plain async functions for scripts and automation. Neither is retried once Graph may have acted.
import { restoreCloudPc as restore, shareCloudPcSnapshot as share } from "../snapshots/restore-points";
import type { BlobAccessTier } from "../snapshots/types";
import { checkGuid, checkStorageAccountId } from "../validation/rules";
import { functionClient, rejectInvalid, type FunctionOptions } from "./client";

export interface RestoreCloudPcArgs {
    cloudPcId: string;
    /** The restore point to go back to (an id from getCloudPcSnapshots; never an imported snapshot's id). */
    snapshotId: string;
}

export interface ShareCloudPcSnapshotArgs extends RestoreCloudPcArgs {
    /** ARM id of the storage account that receives the copy (see getStorageAccounts). */
    storageAccountId: string;
    /** Default `hot`. */
    accessTier?: BlobAccessTier;
}

function checkSnapshotId(id: unknown): void {
    if (typeof id !== "string" || id.trim() === "")
        throw new Error("snapshotId is required: a restore point's id, e.g. CPC_{guid}_{guid}.");
}

/** Restores the Cloud PC to one of its restore points. Everything on the Cloud PC since then is lost. */
export async function restoreCloudPc(args: RestoreCloudPcArgs, options?: FunctionOptions): Promise<void> {
    rejectInvalid("cloudPcId", checkGuid(args.cloudPcId, "the Cloud PC's id"));
    checkSnapshotId(args.snapshotId);
    await restore(functionClient(options), args.cloudPcId, args.snapshotId);
}

/** Copies a restore point to a storage account (for forensics or review). */
export async function shareCloudPcSnapshot(args: ShareCloudPcSnapshotArgs, options?: FunctionOptions): Promise<void> {
    rejectInvalid("cloudPcId", checkGuid(args.cloudPcId, "the Cloud PC's id"));
    checkSnapshotId(args.snapshotId);
    rejectInvalid("storageAccountId", checkStorageAccountId(args.storageAccountId));
    await share(functionClient(options), args.cloudPcId, {
        cloudPcSnapshotId: args.snapshotId,
        storageAccountId: args.storageAccountId,
        accessTier: args.accessTier,
    });
}
