// How an import is recorded in Pulumi state. The SAS URL never enters outputs: only what it points at is kept
// (sas-identity.ts: scheme, host, path, snapshot/versionid), enough for diff to see a different file and for a human
// to see which blob, and never stale when only the SAS's credentials rotate (diff then reports no change at all,
// and the engine keeps these outputs as they are).
import { createHash } from "node:crypto";
import type { CloudPcSnapshotImportActionResult } from "../../snapshots/types";
import { sasUrlIdentity } from "./sas-identity";
import type { ImportedSnapshotInputs, ImportedSnapshotOutputs, SourceFile, StoredSourceFile } from "./types";

export function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

export function redactSasUrl(sasUrl: string): string {
    return sasUrlIdentity(sasUrl) ?? "(invalid URL)";
}

export function storedSourceFile(file: SourceFile): StoredSourceFile {
    const stored: StoredSourceFile = {
        sourceType: String(file.sourceType ?? (file.sasUrl ? "sasUrl" : "azureStorageAccount")),
        fileType: String(file.fileType ?? "dataFile"),
    };
    if (file.storageBlobInfo) {
        stored.storageBlobInfo = {
            storageAccountId: file.storageBlobInfo.storageAccountId,
            containerName: file.storageBlobInfo.containerName,
            fileName: String(file.storageBlobInfo.fileName ?? file.storageBlobInfo.blobName),
        };
    }
    if (file.sasUrl) {
        stored.sasUrlRedacted = redactSasUrl(file.sasUrl);
    }
    return stored;
}

/**
 * Where the import's files come from, as a hash: the pending-import notes' `source`. Without the SAS query, so a
 * re-signed URL of the same blob is the same source; ARM ids compared case-insensitively, as Azure does.
 */
export function sourceIdentity(inputs: ImportedSnapshotInputs): string {
    const parts = inputs.sourceFiles
        .map(storedSourceFile)
        .map((s) =>
            JSON.stringify([
                s.fileType,
                s.sourceType,
                s.storageBlobInfo
                    ? [
                          s.storageBlobInfo.storageAccountId.toLowerCase(),
                          s.storageBlobInfo.containerName,
                          s.storageBlobInfo.fileName,
                      ]
                    : s.sasUrlRedacted,
            ]),
        )
        .sort();
    return sha256(JSON.stringify(parts)).slice(0, 32);
}

/** The outputs of a resource: its inputs (SAS-free) plus the import record, with no undefined anywhere. */
export function toOutputs(
    inputs: ImportedSnapshotInputs,
    snapshotId: string,
    record: CloudPcSnapshotImportActionResult | undefined,
): ImportedSnapshotOutputs {
    return {
        assignedUserId: inputs.assignedUserId,
        sourceFiles: inputs.sourceFiles.map(storedSourceFile),
        waitForCompletion: inputs.waitForCompletion,
        timeoutMinutes: inputs.timeoutMinutes,
        adoptSnapshotId: inputs.adoptSnapshotId ?? null,
        settings: inputs.settings ?? null,
        snapshotId,
        ...recordFields(record),
    };
}

export function recordFields(record: CloudPcSnapshotImportActionResult | undefined) {
    return {
        importStatus: record?.importStatus ?? null,
        usageStatus: record?.usageStatus ?? null,
        filename: record?.filename ?? null,
        assignedUserPrincipalName: record?.assignedUserPrincipalName ?? null,
        policyName: record?.policyName ?? null,
        startDateTime: record?.startDateTime ?? null,
        endDateTime: record?.endDateTime ?? null,
        additionalDetail: record?.additionalDetail ?? null,
    };
}

/** The data file's blob name, which Graph echoes as the record's `filename` (with or without `.vhd`). */
export function dataFileName(inputs: ImportedSnapshotInputs): string | undefined {
    const data = inputs.sourceFiles.find((f) => (f.fileType ?? "dataFile") === "dataFile");
    if (!data) return undefined;
    if (data.storageBlobInfo) return String(data.storageBlobInfo.fileName ?? data.storageBlobInfo.blobName);
    if (data.sasUrl) {
        try {
            const segments = new URL(data.sasUrl).pathname.split("/").filter(Boolean);
            return decodeURIComponent(segments[segments.length - 1] ?? "");
        } catch {
            return undefined;
        }
    }
    return undefined;
}
