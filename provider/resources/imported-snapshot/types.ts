// Plain (resolved) shapes of the CloudPcImportedSnapshot inputs and outputs, shared by check, diff and the lifecycle.
// The Pulumi-facing `Input<...>` versions live in resource.ts.
import type { Owner } from "../../validation/hidden-input";
import type { ImportedSnapshotUsage, ImportFileType, ImportSourceType, ImportStatus } from "../../snapshots/types";

/** A blob in the customer's storage account (Graph's cloudPcStorageBlobDetail). */
export interface StorageBlobInfo {
    /** ARM id: /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name} */
    storageAccountId: string;
    containerName: string;
    /** The blob name, ending in `.vhd`. */
    fileName?: string;
    /** Alias of `fileName` (the import page's example uses it); sent to Graph as `fileName`. */
    blobName?: string;
}

/** One file to import (Graph's cloudPcSnapshotImportActionDetail). Give `storageBlobInfo` or `sasUrl`, not both. */
export interface SourceFile {
    /** Inferred from the field you give when omitted. */
    sourceType?: ImportSourceType;
    /** `dataFile` (the OS disk, default) or `virtualMachineGuestState` (VMGS of a Trusted Launch VM). */
    fileType?: ImportFileType;
    storageBlobInfo?: StorageBlobInfo;
    /** https URL of the VHD with a SAS token (`sig=`). Kept secret in state; never logged. */
    sasUrl?: string;
}

/** Inputs after check(): defaults filled, `blobName` folded into `fileName`. */
export interface ImportedSnapshotInputs {
    assignedUserId: string;
    sourceFiles: SourceFile[];
    waitForCompletion: boolean;
    timeoutMinutes: number;
    adoptSnapshotId?: string;
    /** The stack config namespace of another tenant's settings (`tenantB` for `tenantB:*`); undefined: the default. */
    settings?: string;
    /** The stack and URN the resource class sent (hidden input); undefined for a caller that sent none. */
    owner?: Owner;
}

/** A source file as stored in outputs: the SAS URL is replaced by what it points at (no credential). */
export interface StoredSourceFile {
    sourceType: string;
    fileType: string;
    storageBlobInfo?: { storageAccountId: string; containerName: string; fileName: string };
    /** The SAS URL without its credentials: scheme, host, path and any `snapshot`/`versionid`. Safe to show. */
    sasUrlRedacted?: string;
    /**
     * Only in state written by 0.1.0 (then sasUrlRedacted has no query at all): a SHA-256 of the whole URL.
     * Never written now: it changed with every new signature. The next `pulumi up` rewrites such state.
     */
    sasUrlSha256?: string;
}

/** Everything the resource records in state. No field is ever `undefined` (the engine's Struct encoding rejects it). */
export interface ImportedSnapshotOutputs {
    assignedUserId: string;
    sourceFiles: StoredSourceFile[];
    waitForCompletion: boolean;
    timeoutMinutes: number;
    adoptSnapshotId: string | null;
    /** The settings namespace the import was made with (null: the default); read and delete go to its tenant. */
    settings: string | null;
    snapshotId: string;
    importStatus: ImportStatus | null;
    usageStatus: ImportedSnapshotUsage | null;
    filename: string | null;
    assignedUserPrincipalName: string | null;
    policyName: string | null;
    startDateTime: string | null;
    endDateTime: string | null;
    additionalDetail: string | null;
}
