// diff(): any change to what is imported replaces the resource. Graph allows one imported snapshot per user, so when
// the user stays the same the old import must be purged first (deleteBeforeReplace). waitForCompletion and
// timeoutMinutes only say how create waits; changing them never re-imports. A sasUrl is judged by the file it points
// at (sas-identity.ts): a new signature or expiry alone is no change at all.
import { settingsChanged } from "../../validation/settings-input";
import { containsUnknown, isUnknown } from "../../validation/unknown";
import { sasUrlIdentity, sasUrlOriginAndPath, selectsBlobVersion } from "./sas-identity";
import { sha256, storedSourceFile } from "./state";
import type { SourceFile, StoredSourceFile } from "./types";

export interface DiffResult {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export function diffImportedSnapshot(olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
    const replaces: string[] = [];

    const userChanged = isUnknown(news.assignedUserId) || !sameId(olds.assignedUserId, news.assignedUserId);
    if (userChanged) replaces.push("assignedUserId");

    if (!sameSourceFiles(olds.sourceFiles, news.sourceFiles)) replaces.push("sourceFiles");

    // Another tenant is another import: the old one is purged in its own tenant (delete goes by the state's settings).
    if (settingsChanged(olds, news)) replaces.push("settings");

    // Adoption matters only when it names a different import than the one this resource already holds.
    const adopt = news.adoptSnapshotId;
    if (
        adopt !== undefined &&
        adopt !== null &&
        adopt !== "" &&
        (isUnknown(adopt) || !sameId(adopt, olds.snapshotId))
    ) {
        replaces.push("adoptSnapshotId");
    }

    return {
        changes: replaces.length > 0,
        replaces,
        // Unknown user during preview: assume the same user, the safe order.
        deleteBeforeReplace: replaces.length > 0 && (!userChanged || isUnknown(news.assignedUserId)),
    };
}

function sameId(a: unknown, b: unknown): boolean {
    return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

function sameSourceFiles(olds: unknown, news: unknown): boolean {
    if (containsUnknown(news)) return false;
    if (!Array.isArray(olds) || !Array.isArray(news) || olds.length !== news.length) return false;
    return news.every((n, i) =>
        sameStored(olds[i] as StoredSourceFile, storedSourceFile(n as SourceFile), (n as SourceFile).sasUrl),
    );
}

/** Whether the stored file and the new sasUrl name the same file; credentials (sig, se, sp, ...) do not count. */
function sameSasFile(stored: StoredSourceFile, sasUrl: string | undefined): boolean {
    if (!sasUrl || !stored.sasUrlRedacted) return !sasUrl && !stored.sasUrlRedacted;
    if (stored.sasUrlSha256 === undefined) return stored.sasUrlRedacted === sasUrlIdentity(sasUrl);
    // State from 0.1.0: a hash of the whole URL, and its origin and path. The same URL is the same file; the same
    // origin and path is the same file when the new URL selects no snapshot or version. If it does, the old URL's
    // selection was not recorded, and 0.1.0's rule applies once: a changed URL replaces.
    if (stored.sasUrlSha256 === sha256(sasUrl)) return true;
    return stored.sasUrlRedacted === sasUrlOriginAndPath(sasUrl) && !selectsBlobVersion(sasUrl);
}

/** State written by 0.1.0 (a hash of the whole SAS URL): rewritten by an update step that calls no Graph API. */
export function importedSnapshotStateOutdated(olds: Record<string, unknown>): boolean {
    return (
        Array.isArray(olds.sourceFiles) &&
        olds.sourceFiles.some((f) => !!f && typeof f === "object" && "sasUrlSha256" in f)
    );
}

function sameStored(a: StoredSourceFile, b: StoredSourceFile, sasUrl: string | undefined): boolean {
    if (!a || typeof a !== "object") return false;
    if (a.sourceType !== b.sourceType || a.fileType !== b.fileType) return false;
    if (!sameSasFile(a, sasUrl)) return false;
    const x = a.storageBlobInfo,
        y = b.storageBlobInfo;
    if (!x || !y) return !x && !y;
    // ARM ids are case-insensitive; container and blob names are not.
    return (
        x.storageAccountId.toLowerCase() === y.storageAccountId.toLowerCase() &&
        x.containerName === y.containerName &&
        x.fileName === y.fileName
    );
}
