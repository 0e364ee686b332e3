// diff(): any change to what is imported replaces the resource. Graph allows one imported snapshot per user, so when
// the user stays the same the old import must be purged first (deleteBeforeReplace). waitForCompletion and
// timeoutMinutes only say how create waits; changing them never re-imports.
import { containsUnknown, isUnknown } from "../../validation/unknown";
import { storedSourceFile } from "./state";
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

    // Adoption matters only when it names a different import than the one this resource already holds.
    const adopt = news.adoptSnapshotId;
    if (adopt !== undefined && adopt !== null && adopt !== "" &&
        (isUnknown(adopt) || !sameId(adopt, olds.snapshotId))) {
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
    return news.every((n, i) => sameStored(olds[i] as StoredSourceFile, storedSourceFile(n as SourceFile)));
}

function sameStored(a: StoredSourceFile, b: StoredSourceFile): boolean {
    if (!a || typeof a !== "object") return false;
    if (a.sourceType !== b.sourceType || a.fileType !== b.fileType) return false;
    if (a.sasUrlSha256 !== b.sasUrlSha256) return false;
    const x = a.storageBlobInfo, y = b.storageBlobInfo;
    if (!x || !y) return !x && !y;
    // ARM ids are case-insensitive; container and blob names are not.
    return x.storageAccountId.toLowerCase() === y.storageAccountId.toLowerCase() &&
        x.containerName === y.containerName && x.fileName === y.fileName;
}
