// check(): everything knowable before Graph is called. Invalid input never reaches Graph; each failure names the
// property path (e.g. sourceFiles[0].storageBlobInfo.containerName) and says how to fix it.
import { Failures, type CheckResult } from "../../validation/failures";
import {
    brief,
    checkContainerName,
    checkGuid,
    checkSasUrl,
    checkStorageAccountId,
    checkVhdBlobName,
    describeType,
} from "../../validation/rules";
import { checkHiddenInput, HIDDEN_INPUT, ownerOf } from "../../validation/hidden-input";
import { checkSettingsInput, SETTINGS_INPUT } from "../../validation/settings-input";
import { isUnknown } from "../../validation/unknown";
import { checkWaiting } from "../../validation/waiting";
import type { ImportedSnapshotInputs, SourceFile } from "./types";

const SOURCE_TYPES = ["azureStorageAccount", "sasUrl"];
const FILE_TYPES = ["dataFile", "virtualMachineGuestState"];
const KNOWN_INPUTS = new Set([
    "assignedUserId",
    "sourceFiles",
    "waitForCompletion",
    "timeoutMinutes",
    "adoptSnapshotId",
    SETTINGS_INPUT,
    "__provider",
    HIDDEN_INPUT,
]);
const KNOWN_SOURCE_KEYS = new Set(["sourceType", "fileType", "storageBlobInfo", "sasUrl"]);
const KNOWN_BLOB_KEYS = new Set(["storageAccountId", "containerName", "fileName", "blobName"]);

export function checkImportedSnapshot(news: Record<string, unknown>): CheckResult {
    const f = new Failures();
    const inputs: Record<string, unknown> = { ...news };

    f.rejectUnknownInputs(news, KNOWN_INPUTS, "CloudPcImportedSnapshot");

    const user = news.assignedUserId;
    if (user === undefined || user === null || user === "") {
        f.add("assignedUserId", "is required: the Entra object id of the user who gets the imported snapshot.");
    } else if (!isUnknown(user)) {
        f.add("assignedUserId", checkGuid(user, "the user's Entra object id"));
    }

    inputs.sourceFiles = checkSourceFiles(news.sourceFiles, f);

    checkWaiting(news, inputs, f);
    checkSettingsInput(news, inputs, f);
    checkHiddenInput(news, f, "CloudPcImportedSnapshot", {
        snapshotId: "To take over an existing import, set adoptSnapshotId to its snapshotId.",
    });

    const adopt = news.adoptSnapshotId;
    if (adopt === null || adopt === "") delete inputs.adoptSnapshotId;
    else if (adopt !== undefined && !isUnknown(adopt)) {
        f.add("adoptSnapshotId", checkGuid(adopt, "the snapshotId of an existing import to adopt"));
    }

    return { inputs, failures: f.list };
}

function checkSourceFiles(value: unknown, f: Failures): unknown {
    if (isUnknown(value)) return value;
    if (value === undefined || value === null) {
        f.add("sourceFiles", 'is required: give one entry with fileType "dataFile" (a storageBlobInfo or a sasUrl).');
        return value;
    }
    if (!Array.isArray(value)) {
        f.add("sourceFiles", `must be a list of source files, got ${describeType(value)}.`);
        return value;
    }
    if (value.length === 0) {
        f.add("sourceFiles", 'must hold at least one file: the OS disk VHD, with fileType "dataFile".');
        return value;
    }
    if (value.length > 2) {
        f.add(
            "sourceFiles",
            `holds ${value.length} files; Windows 365 imports one dataFile and at most one virtualMachineGuestState.`,
        );
        return value;
    }
    const normalized = value.map((entry, i) => checkSourceFile(entry, `sourceFiles[${i}]`, f));
    const types = normalized.map((e) => (e && typeof e === "object" ? (e as SourceFile).fileType : undefined));
    if (!types.some(isUnknown)) {
        const data = types.filter((t) => t === "dataFile").length;
        const vmgs = types.filter((t) => t === "virtualMachineGuestState").length;
        if (data !== 1)
            f.add("sourceFiles", `must hold exactly one file with fileType "dataFile" (the OS disk); found ${data}.`);
        if (vmgs > 1)
            f.add(
                "sourceFiles",
                `holds ${vmgs} files with fileType "virtualMachineGuestState"; at most one is allowed.`,
            );
    }
    return normalized;
}

function checkSourceFile(entry: unknown, path: string, f: Failures): unknown {
    if (isUnknown(entry)) return entry;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
        f.add(path, `must be an object with storageBlobInfo or sasUrl, got ${describeType(entry)}.`);
        return entry;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
        if (!KNOWN_SOURCE_KEYS.has(key))
            f.add(
                `${path}.${key}`,
                `is not a field of a source file; use sourceType, fileType, storageBlobInfo or sasUrl.`,
            );
    }
    const out: Record<string, unknown> = { ...e };
    const hasBlob = e.storageBlobInfo !== undefined && e.storageBlobInfo !== null;
    const hasSas = e.sasUrl !== undefined && e.sasUrl !== null && e.sasUrl !== "";

    if (hasBlob && hasSas)
        f.add(path, "has both storageBlobInfo and sasUrl; give one (Graph would silently ignore the sasUrl).");
    if (!hasBlob && !hasSas)
        f.add(path, "needs storageBlobInfo (storageAccountId, containerName, fileName) or a sasUrl.");

    if (e.sourceType === undefined || e.sourceType === null) {
        out.sourceType = hasSas && !hasBlob ? "sasUrl" : "azureStorageAccount";
    } else if (!isUnknown(e.sourceType)) {
        if (typeof e.sourceType !== "string" || !SOURCE_TYPES.includes(e.sourceType)) {
            f.add(`${path}.sourceType`, `must be "azureStorageAccount" or "sasUrl"; got ${brief(e.sourceType)}.`);
        } else if (e.sourceType === "sasUrl" && hasBlob && !hasSas) {
            f.add(
                `${path}.sourceType`,
                `is "sasUrl" but the entry gives storageBlobInfo; set sourceType "azureStorageAccount" or give sasUrl.`,
            );
        } else if (e.sourceType === "azureStorageAccount" && hasSas && !hasBlob) {
            f.add(
                `${path}.sourceType`,
                `is "azureStorageAccount" but the entry gives a sasUrl; set sourceType "sasUrl" or give storageBlobInfo.`,
            );
        }
    }
    if (e.fileType === undefined || e.fileType === null) out.fileType = "dataFile";
    else if (!isUnknown(e.fileType) && (typeof e.fileType !== "string" || !FILE_TYPES.includes(e.fileType))) {
        f.add(`${path}.fileType`, `must be "dataFile" or "virtualMachineGuestState"; got ${brief(e.fileType)}.`);
    }
    if (hasBlob) out.storageBlobInfo = checkBlobInfo(e.storageBlobInfo, `${path}.storageBlobInfo`, f);
    if (hasSas && !isUnknown(e.sasUrl)) f.add(`${path}.sasUrl`, checkSasUrl(e.sasUrl));
    if (!hasSas) delete out.sasUrl;
    return out;
}

function checkBlobInfo(value: unknown, path: string, f: Failures): unknown {
    if (isUnknown(value)) return value;
    if (typeof value !== "object" || Array.isArray(value) || value === null) {
        f.add(path, `must be an object with storageAccountId, containerName and fileName; got ${describeType(value)}.`);
        return value;
    }
    const b = value as Record<string, unknown>;
    for (const key of Object.keys(b)) {
        if (!KNOWN_BLOB_KEYS.has(key))
            f.add(
                `${path}.${key}`,
                `is not a field of storageBlobInfo; use storageAccountId, containerName and fileName.`,
            );
    }
    const out: Record<string, unknown> = { ...b };
    if (b.storageAccountId === undefined || b.storageAccountId === null)
        f.add(`${path}.storageAccountId`, "is required: the storage account's ARM resource id.");
    else if (!isUnknown(b.storageAccountId))
        f.add(`${path}.storageAccountId`, checkStorageAccountId(b.storageAccountId));
    if (b.containerName === undefined || b.containerName === null)
        f.add(`${path}.containerName`, "is required: the blob container holding the VHD.");
    else if (!isUnknown(b.containerName)) f.add(`${path}.containerName`, checkContainerName(b.containerName));

    // `blobName` is the import page's spelling; Graph's type says `fileName`. Accept either, store fileName.
    const hasFile = b.fileName !== undefined && b.fileName !== null;
    const hasAlias = b.blobName !== undefined && b.blobName !== null;
    if (hasFile && hasAlias && b.fileName !== b.blobName) {
        f.add(`${path}.blobName`, `differs from fileName; blobName is an alias of fileName, give only one.`);
    }
    const name = hasFile ? b.fileName : b.blobName;
    if (!hasFile && !hasAlias)
        f.add(`${path}.fileName`, "is required: the VHD blob's name in the container (blobName is accepted too).");
    else if (!isUnknown(name)) f.add(`${path}.${hasFile ? "fileName" : "blobName"}`, checkVhdBlobName(name));
    out.fileName = name;
    delete out.blobName;
    return out;
}

/** The typed view of checked inputs; only call when check() reported no failures and nothing is unknown. */
export function asInputs(inputs: Record<string, unknown>): ImportedSnapshotInputs {
    return { ...(inputs as unknown as ImportedSnapshotInputs), owner: ownerOf(inputs) };
}
