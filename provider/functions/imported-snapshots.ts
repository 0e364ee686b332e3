// Read-only views of imported snapshots (import results, contract E2).
import { getImportResult, listImportResults } from "../snapshots/import-results";
import type { CloudPcSnapshotImportActionResult } from "../snapshots/types";
import { checkGuid } from "../validation/rules";
import { functionApi, outputOf, rejectInvalid, type FunctionOptions, type InputArgs } from "./client";
import type * as pulumi from "@pulumi/pulumi";

/** An import record with every documented property (null when Graph left it out). */
export interface ImportedSnapshotResult {
    snapshotId: string | null;
    filename: string | null;
    assignedUserPrincipalName: string | null;
    policyName: string | null;
    importStatus: string | null;
    usageStatus: string | null;
    startDateTime: string | null;
    endDateTime: string | null;
    additionalDetail: string | null;
}

export interface GetImportedSnapshotsArgs {
    /** Only this user's imports, by Entra object id (matched through the user's UPN, which needs User.ReadBasic.All). */
    userId?: string;
    /** Only this user's imports, by UPN. Give both when you know both: Graph reports either one (contract I-12). */
    userPrincipalName?: string;
}

export interface GetImportedSnapshotArgs {
    snapshotId: string;
}

function toResult(r: CloudPcSnapshotImportActionResult): ImportedSnapshotResult {
    return {
        snapshotId: r.snapshotId ?? null,
        filename: r.filename ?? null,
        assignedUserPrincipalName: r.assignedUserPrincipalName ?? null,
        policyName: r.policyName ?? null,
        importStatus: r.importStatus ?? null,
        usageStatus: r.usageStatus ?? null,
        startDateTime: r.startDateTime ?? null,
        endDateTime: r.endDateTime ?? null,
        additionalDetail: r.additionalDetail ?? null,
    };
}

/** Graph's `assignedUserPrincipalName` holds the UPN or, in some tenants, the object id: match either. */
export function isUsersImport(
    r: { assignedUserPrincipalName?: string | null },
    args: GetImportedSnapshotsArgs,
): boolean {
    const wanted = [args.userId, args.userPrincipalName]
        .filter((v): v is string => typeof v === "string" && v !== "")
        .map((v) => v.toLowerCase());
    if (wanted.length === 0) return true;
    const reported = (r.assignedUserPrincipalName ?? "").toLowerCase();
    return wanted.includes(reported);
}

/**
 * Every imported snapshot of the tenant, or one user's. Needs Graph's list form of the import results
 * (listSnapshotImportResults); where Graph offers only per-id reads this throws, naming the functions it tried.
 */
export async function getImportedSnapshots(
    args: GetImportedSnapshotsArgs = {},
    options?: FunctionOptions,
): Promise<ImportedSnapshotResult[]> {
    if (args.userId) rejectInvalid("userId", checkGuid(args.userId, "the user's Entra object id"));
    const api = functionApi(options);
    const records = await listImportResults(api);
    // Graph reports users by UPN: a user given by object id is matched through its UPN too, when it can be read.
    const upn = args.userId && !args.userPrincipalName ? await api.users.upn(args.userId) : undefined;
    const wanted = upn && "upn" in upn ? { ...args, userPrincipalName: upn.upn } : args;
    return records.filter((r) => isUsersImport(r, wanted)).map(toResult);
}

/** One import by its snapshotId, or null when Graph has none. */
export async function getImportedSnapshot(
    args: GetImportedSnapshotArgs,
    options?: FunctionOptions,
): Promise<ImportedSnapshotResult | null> {
    rejectInvalid("snapshotId", checkGuid(args.snapshotId, "the snapshotId of an imported snapshot"));
    const record = await getImportResult(functionApi(options), args.snapshotId);
    return record ? toResult(record) : null;
}

export function getImportedSnapshotsOutput(
    args: InputArgs<GetImportedSnapshotsArgs> = {},
    options?: FunctionOptions,
): pulumi.Output<ImportedSnapshotResult[]> {
    return outputOf(getImportedSnapshots, args, options);
}

export function getImportedSnapshotOutput(
    args: InputArgs<GetImportedSnapshotArgs>,
    options?: FunctionOptions,
): pulumi.Output<ImportedSnapshotResult | null> {
    return outputOf(getImportedSnapshot, args, options);
}
