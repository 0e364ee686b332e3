// Before a replacement purges a user's working import: can the new source be imported? Definite objections (the
// blob does not exist, its SAS is refused or expires too soon, the file is not a .vhd) refuse the replacement
// while the old import is still there. What cannot be verified (storage unreachable, a firewall or RBAC refusal of
// the provider's own read, a dynamic VHD) is a doubt: a warning, or a refusal under cloudpc:verifiedReplacementsOnly.
import type { TokenCredential } from "@azure/identity";
import type { ImportedSnapshotInputs, SourceFile } from "../resources/imported-snapshot/types";
import { readBlobTail, type BlobRead } from "./blob-reader";
import { importWindowMs, sasExpiryObjection } from "./sas-expiry";
import { storageBlobUrl } from "./storage-endpoint";
import { judgeVhdFile } from "./vhd-footer";

export interface PreflightDeps {
    now(): number;
    /** Template of the blob endpoint for storageBlobInfo (storage-endpoint.ts). */
    storageEndpoint: string;
    /** The provider's own credential, for storageBlobInfo reads; created only when one is needed. */
    credential(): TokenCredential | undefined;
    read?: (url: string, credential: TokenCredential | undefined) => Promise<BlobRead>;
    /** What the default read sends through (the runtime's proxy-routed client). */
    httpClient?: import("./blob-reader").ReadOptions["httpClient"];
}

export interface PreflightVerdict {
    objections: string[];
    doubts: string[];
}

/** Storage error codes that say for certain that Windows 365 could not read the file either. */
const NOT_FOUND = new Set(["BlobNotFound", "ContainerNotFound", "ResourceNotFound"]);

export async function preflightImport(inputs: ImportedSnapshotInputs, deps: PreflightDeps): Promise<PreflightVerdict> {
    const verdict: PreflightVerdict = { objections: [], doubts: [] };
    for (const [i, file] of inputs.sourceFiles.entries()) {
        const name = `sourceFiles[${i}] (${file.fileType ?? "dataFile"}, ${describe(file)})`;
        const found = await checkFile(file, inputs.timeoutMinutes, deps);
        for (const o of found.objections) verdict.objections.push(`${name} ${o}`);
        for (const d of found.doubts) verdict.doubts.push(`${name} ${d}`);
    }
    return verdict;
}

async function checkFile(file: SourceFile, timeoutMinutes: number, deps: PreflightDeps): Promise<PreflightVerdict> {
    const v: PreflightVerdict = { objections: [], doubts: [] };
    // Windows 365 takes storageBlobInfo over sasUrl when both are given (cloudPcSnapshotImportActionDetail).
    const viaSas = !file.storageBlobInfo && !!file.sasUrl;
    if (viaSas) {
        const expiry = sasExpiryObjection(file.sasUrl!, deps.now(), importWindowMs(timeoutMinutes));
        if (expiry) return { objections: [expiry], doubts: [] };
    }
    const url = viaSas
        ? file.sasUrl!
        : file.storageBlobInfo
          ? storageBlobUrl(deps.storageEndpoint, file.storageBlobInfo)
          : undefined;
    if (!url) return v;
    const credential = viaSas ? undefined : deps.credential();
    const read = await (deps.read ?? ((u, c) => readBlobTail(u, { credential: c, httpClient: deps.httpClient })))(
        url,
        credential,
    );
    if (read.kind === "unreachable") {
        v.doubts.push(`could not be checked: ${read.why}`);
        return v;
    }
    if (read.kind === "refused") {
        if (NOT_FOUND.has(read.code) || read.status === 404)
            v.objections.push(`does not exist (storage answered ${read.status} ${read.code})`);
        // A SAS is refused for its signature or expiry with AuthenticationFailed, whoever reads it. The provider's own
        // token being refused says nothing about Windows 365's access; neither do firewall, IP-bound and RBAC refusals
        // (AuthorizationFailure, AuthorizationSourceIPMismatch, AuthorizationPermissionMismatch): Windows 365 reads
        // from elsewhere, as itself.
        else if (viaSas && read.code === "AuthenticationFailed")
            v.objections.push(
                `cannot be read with its SAS: storage refused the signature or its time window (403 AuthenticationFailed)`,
            );
        else v.doubts.push(`could not be checked: storage refused the provider's read (${read.status} ${read.code})`);
        return v;
    }
    if ((file.fileType ?? "dataFile") !== "dataFile") return v; // the VMGS file is not judged by its footer
    const judged = judgeVhdFile(read.tail, read.length);
    if ("objection" in judged) v.objections.push(judged.objection);
    else if ("doubt" in judged) v.doubts.push(judged.doubt);
    if (read.blobType && read.blobType !== "PageBlob")
        v.doubts.push(`is a ${read.blobType}; Azure makes disks from VHDs stored as page blobs`);
    return v;
}

/** What the file is, without any credential: the storage names, or the SAS URL's host and path. */
function describe(file: SourceFile): string {
    if (file.storageBlobInfo) {
        const b = file.storageBlobInfo;
        return `${b.storageAccountId.split("/").pop()}/${b.containerName}/${b.fileName ?? b.blobName}`;
    }
    try {
        const u = new URL(file.sasUrl ?? "");
        return `${u.host}${u.pathname}`;
    } catch {
        return "the SAS URL";
    }
}
