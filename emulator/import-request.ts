// Validation of the importSnapshot body (E1). Graph documents no server-side rules; these follow the contract's
// suggested defaults (§5.7) and answer synchronous 400s. File *content* problems fail the import later instead.
import type { CloudPcSnapshotImportActionDetail } from "../provider/snapshots/types";
import { GraphError } from "./errors";
import { isGuid } from "./http";
import { isRecord } from "./tokens";

export const STORAGE_ACCOUNT_ID_RE =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i;

const SOURCE_TYPES = ["azureStorageAccount", "sasUrl"];
const FILE_TYPES = ["dataFile", "virtualMachineGuestState"];

/** Which request field named the blob: the type's `fileName`, the docs example's `blobName`, or a SAS URL. */
export type BlobField = "fileName" | "blobName" | "sasUrl";

export interface ParsedImportFile {
    fileType: "dataFile" | "virtualMachineGuestState";
    /** Blob name (or last SAS path segment). */
    name: string;
    field: BlobField;
    /** The entry as received, with any SAS signature redacted (records are inspectable; secrets are not). */
    redacted: CloudPcSnapshotImportActionDetail;
}

export interface ParsedImportRequest {
    assignedUserId: string;
    dataFile: ParsedImportFile;
    guestStateFile: ParsedImportFile | undefined;
}

function bad(message: string): GraphError {
    return new GraphError(400, message, "BadRequest");
}

function enumValue(value: unknown, allowed: string[], typeName: string, fallback: string): string {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "string" || !allowed.includes(value)) {
        // OData's own wording for a bad enum literal.
        throw bad(`Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.${typeName}'.`);
    }
    return value;
}

export function redactSas(url: string): string {
    try {
        const u = new URL(url);
        if (u.searchParams.has("sig")) u.searchParams.set("sig", "REDACTED");
        return u.toString();
    } catch {
        return "(invalid URL)";
    }
}

function parseEntry(entry: unknown, i: number): ParsedImportFile {
    const where = `sourceFiles[${i}]`;
    if (!isRecord(entry)) throw bad(`${where} must be an object.`);
    enumValue(entry["sourceType"], SOURCE_TYPES, "cloudPcSnapshotImportSourceType", "azureStorageAccount");
    const fileType = enumValue(
        entry["fileType"],
        FILE_TYPES,
        "cloudPcSnapshotImportFileType",
        "dataFile",
    ) as ParsedImportFile["fileType"];
    const blob = entry["storageBlobInfo"];
    const sas = entry["sasUrl"];
    // Contract: each entry needs storageBlobInfo or sasUrl; when both are present the storage-account information wins.
    if (blob !== undefined && blob !== null) {
        if (!isRecord(blob)) throw bad(`${where}.storageBlobInfo must be an object.`);
        const accountId = blob["storageAccountId"];
        if (typeof accountId !== "string" || !STORAGE_ACCOUNT_ID_RE.test(accountId)) {
            throw bad(
                `${where}.storageBlobInfo.storageAccountId must be the storage account's Azure resource id, ` +
                    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Storage/storageAccounts/{accountName}.",
            );
        }
        const container = blob["containerName"];
        if (typeof container !== "string" || container.trim() === "")
            throw bad(`${where}.storageBlobInfo.containerName is required.`);
        const fileName = blob["fileName"];
        const blobName = blob["blobName"];
        const field: BlobField = typeof fileName === "string" && fileName !== "" ? "fileName" : "blobName";
        const name = field === "fileName" ? fileName : blobName;
        if (typeof name !== "string" || name.trim() === "") throw bad(`${where}.storageBlobInfo.fileName is required.`);
        if (!/\.vhd$/i.test(name)) throw bad(`${where}.storageBlobInfo.${field} must name a .vhd file, got '${name}'.`);
        const redacted = structuredClone(entry) as CloudPcSnapshotImportActionDetail;
        if (typeof sas === "string") redacted.sasUrl = redactSas(sas);
        return { fileType, name, field, redacted };
    }
    if (sas !== undefined && sas !== null) {
        if (typeof sas !== "string") throw bad(`${where}.sasUrl must be a string.`);
        let url: URL;
        try {
            url = new URL(sas);
        } catch {
            throw bad(`${where}.sasUrl is not a valid URL.`);
        }
        // Never echo the URL itself: its query string is a credential.
        if (url.protocol !== "https:") throw bad(`${where}.sasUrl must use https.`);
        if (!url.searchParams.get("sig"))
            throw bad(`${where}.sasUrl must be a SAS URL carrying a signature ('sig' query parameter).`);
        const name = decodeURIComponent(url.pathname.split("/").filter(Boolean).pop() ?? "");
        if (name === "" || !/\.vhd$/i.test(name)) throw bad(`${where}.sasUrl must point at a .vhd blob.`);
        return {
            fileType,
            name,
            field: "sasUrl",
            redacted: { ...(structuredClone(entry) as CloudPcSnapshotImportActionDetail), sasUrl: redactSas(sas) },
        };
    }
    throw bad(`${where}: either 'storageBlobInfo' or 'sasUrl' is required.`);
}

export function parseImportRequest(body: unknown): ParsedImportRequest {
    if (!isRecord(body)) throw bad("The request body must be a JSON object with 'assignedUserId' and 'sourceFiles'.");
    const userId = body["assignedUserId"];
    if (userId === undefined || userId === null || userId === "")
        throw bad("The 'assignedUserId' parameter is required.");
    if (!isGuid(userId))
        throw bad(`Invalid 'assignedUserId' '${String(userId)}': expected the Entra object id (GUID) of the user.`);
    const files = body["sourceFiles"];
    if (!Array.isArray(files) || files.length === 0) throw bad("'sourceFiles' must contain at least one entry.");
    const parsed = files.map((f, i) => parseEntry(f, i));
    const data = parsed.filter((f) => f.fileType === "dataFile");
    const guest = parsed.filter((f) => f.fileType === "virtualMachineGuestState");
    if (data.length !== 1)
        throw bad(`'sourceFiles' must contain exactly one entry with fileType 'dataFile', found ${data.length}.`);
    if (guest.length > 1)
        throw bad(
            `'sourceFiles' may contain at most one entry with fileType 'virtualMachineGuestState', found ${guest.length}.`,
        );
    return { assignedUserId: userId.toLowerCase(), dataFile: data[0]!, guestStateFile: guest[0] };
}
