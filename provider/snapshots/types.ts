// Microsoft Graph beta types for the Cloud PC snapshot APIs, as published (see ../shared/graph-contract.md §2).
// Enums are "evolvable": Graph may add members, so every enum also accepts any string.

export type Evolvable<T extends string> = T | "unknownFutureValue" | (string & {});

export type ImportStatus = Evolvable<"pending" | "inProgress" | "succeeded" | "failed">;
export type ImportedSnapshotUsage = Evolvable<"notUsed" | "inUse" | "expired">;
export type ImportSourceType = Evolvable<"azureStorageAccount" | "sasUrl">;
export type ImportFileType = Evolvable<"dataFile" | "virtualMachineGuestState">;
export type BlobAccessTier = Evolvable<"hot" | "cool" | "cold" | "archive">;
/** cloudPcStorageAccountAccessTier: a storage account's tier (not the same enum as a blob's). */
export type StorageAccountAccessTier = Evolvable<"hot" | "cool" | "premium" | "cold">;

/** cloudPcStorageBlobDetail: a blob in the customer's storage account. */
export interface CloudPcStorageBlobDetail {
    storageAccountId: string;
    containerName: string;
    /** The type's field; the import page's example says `blobName` (contract I-1). We always send `fileName`. */
    fileName: string;
}

/** cloudPcSnapshotImportActionDetail: one file to import. */
export interface CloudPcSnapshotImportActionDetail {
    sourceType?: ImportSourceType;
    fileType?: ImportFileType;
    storageBlobInfo?: CloudPcStorageBlobDetail | null;
    sasUrl?: string | null;
}

export interface ImportSnapshotRequest {
    assignedUserId: string;
    sourceFiles: CloudPcSnapshotImportActionDetail[];
}

/** cloudPcSnapshotImportActionResult: the import record; `snapshotId` is its key. */
export interface CloudPcSnapshotImportActionResult {
    snapshotId?: string | null;
    filename?: string | null;
    assignedUserPrincipalName?: string | null;
    policyName?: string | null;
    importStatus?: ImportStatus;
    usageStatus?: ImportedSnapshotUsage;
    startDateTime?: string | null;
    endDateTime?: string | null;
    additionalDetail?: string | null;
}

export interface PurgeImportedSnapshotRequest {
    snapshotIds: string[];
}

/** cloudPcSnapshot: a restore point of a Cloud PC (ids like `CPC_{guid}_{guid}`, not GUIDs). */
export interface CloudPcSnapshot {
    id: string;
    cloudPcId: string;
    createdDateTime: string;
    expirationDateTime?: string | null;
    lastRestoredDateTime?: string | null;
    snapshotType?: Evolvable<"automatic" | "manual" | "retention">;
    status?: Evolvable<"ready">;
    healthCheckStatus?: Evolvable<"unknown" | "healthy" | "unhealthy"> | null;
}

/** A restore point's documented properties as this library reports them: null when Graph left one out. */
export interface RestorePointProperties {
    status: string | null;
    snapshotType: string | null;
    healthCheckStatus: string | null;
    createdDateTime: string | null;
    expirationDateTime: string | null;
    lastRestoredDateTime: string | null;
}

export interface CloudPcSubscription {
    subscriptionId: string;
    subscriptionName: string;
}

export interface CloudPcForensicStorageAccount {
    storageAccountId: string;
    storageAccountName: string;
    /** Default `hot` (read-only). */
    accessTier?: StorageAccountAccessTier | null;
    /** Immutability policies configured: only the `hot` tier is accepted for snapshots then (read-only). */
    immutableStorage?: boolean | null;
}

// The OData shapes live with the client that reads them (graph/ depends on nothing above it).
export type { GraphErrorBody, ODataCollection } from "../graph/odata";
