// Read-only views of a Cloud PC's restore points (cloudPcSnapshot, contract E6-E8).
import type * as pulumi from "@pulumi/pulumi";
import {
    getCloudPcSnapshot as readOne,
    listCloudPcSnapshots,
    restorePointProperties,
} from "../snapshots/restore-points";
import type { CloudPcSnapshot, RestorePointProperties } from "../snapshots/types";
import { checkGuid } from "../validation/rules";
import { functionApi, outputOf, rejectInvalid, type FunctionOptions, type InputArgs } from "./client";

/** A restore point with every documented property (null when Graph left it out). */
export interface CloudPcSnapshotResult extends RestorePointProperties {
    id: string;
    cloudPcId: string | null;
}

export interface GetCloudPcSnapshotsArgs {
    cloudPcId: string;
    /** Only `manual`, `automatic` (or `retention`) restore points. */
    snapshotType?: string;
}

export interface GetCloudPcSnapshotArgs {
    snapshotId: string;
    /** The restore point's Cloud PC: lets the read use the current route (retrieveSnapshots). */
    cloudPcId?: string;
}

function toResult(s: CloudPcSnapshot): CloudPcSnapshotResult {
    return { id: s.id, cloudPcId: s.cloudPcId ?? null, ...restorePointProperties(s) };
}

/** A Cloud PC's restore points, oldest first. */
export async function getCloudPcSnapshots(
    args: GetCloudPcSnapshotsArgs,
    options?: FunctionOptions,
): Promise<CloudPcSnapshotResult[]> {
    rejectInvalid("cloudPcId", checkGuid(args.cloudPcId, "the Cloud PC's id"));
    const { snapshots } = await listCloudPcSnapshots(functionApi(options), args.cloudPcId);
    return snapshots
        .filter((s) => !args.snapshotType || s.snapshotType === args.snapshotType)
        .map(toResult)
        .sort((a, b) => (Date.parse(a.createdDateTime ?? "") || 0) - (Date.parse(b.createdDateTime ?? "") || 0));
}

/** One restore point, or null when Graph has none with this id. */
export async function getCloudPcSnapshot(
    args: GetCloudPcSnapshotArgs,
    options?: FunctionOptions,
): Promise<CloudPcSnapshotResult | null> {
    if (typeof args.snapshotId !== "string" || args.snapshotId.trim() === "")
        throw new Error("snapshotId is required: the restore point's id, e.g. CPC_{guid}_{guid}.");
    if (args.cloudPcId !== undefined) rejectInvalid("cloudPcId", checkGuid(args.cloudPcId, "the Cloud PC's id"));
    const snapshot = await readOne(functionApi(options), args.snapshotId, args.cloudPcId);
    return snapshot ? toResult(snapshot) : null;
}

export function getCloudPcSnapshotsOutput(
    args: InputArgs<GetCloudPcSnapshotsArgs>,
    options?: FunctionOptions,
): pulumi.Output<CloudPcSnapshotResult[]> {
    return outputOf(getCloudPcSnapshots, args, options);
}

export function getCloudPcSnapshotOutput(
    args: InputArgs<GetCloudPcSnapshotArgs>,
    options?: FunctionOptions,
): pulumi.Output<CloudPcSnapshotResult | null> {
    return outputOf(getCloudPcSnapshot, args, options);
}
