// Validation rules for identifiers Graph and Azure Storage accept. Each returns undefined when the value is fine,
// or a sentence saying what is wrong and how to fix it (the caller prefixes the property name).
// They never echo a secret: SAS URLs are described, not quoted.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STORAGE_ACCOUNT_ID =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i;
const RESOURCE_GROUP = /^[-\w.()]{1,90}$/u;
const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
// Printable text only: control characters (including newlines) in a name are always a mistake or an attack.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// Zero-width, bidi-control and other invisible format characters: a name that holds one looks like another name
// (or reads backwards) on screen. Rejected in names; shown escaped in messages, so they can never reorder the text.
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
const INVISIBLE_ALL =
    /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

export const MAX_STRING = 2048;

/** JSON text of any value; never throws (BigInt, cycles, objects without a prototype). */
function stringify(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        try {
            return String(value);
        } catch {
            return Object.prototype.toString.call(value);
        }
    }
}

/** Control and invisible characters as \uXXXX, so a message shows them instead of obeying them. */
export function escapeInvisible(text: string): string {
    return text.replace(INVISIBLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Shows a user value in a message safely: truncated, control and invisible characters escaped. */
export function quote(value: unknown): string {
    const text = typeof value === "string" ? value : stringify(value);
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    return escapeInvisible(JSON.stringify(shown));
}

/** A short excerpt of a value of the wrong kind (JSON, at most 40 characters), safe to put in a message. */
export function brief(value: unknown): string {
    return escapeInvisible(stringify(value).slice(0, 40));
}

export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    return `a ${typeof value}`;
}

export function checkGuid(value: unknown, what: string): string | undefined {
    if (typeof value !== "string") return `must be ${what} (a GUID string), got ${describeType(value)}.`;
    if (!GUID.test(value)) {
        return `must be ${what}, a GUID like 93aff428-61f2-467f-a879-1102af6fd4a8; got ${quote(value)}.`;
    }
    return undefined;
}

export function checkStorageAccountId(value: unknown): string | undefined {
    const shape =
        "/subscriptions/{subscription-guid}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}";
    if (typeof value !== "string")
        return `must be the storage account's ARM resource id (${shape}), got ${describeType(value)}.`;
    const m = STORAGE_ACCOUNT_ID.exec(value);
    if (!m || value.length > MAX_STRING || CONTROL_CHARS.test(value)) {
        return (
            `must be the storage account's ARM resource id, shaped ${shape}; got ${quote(value)}. ` +
            `Use the storage account's "id" output (azure-native: storage.StorageAccount.id).`
        );
    }
    const [, subscription, group, account] = m;
    if (!GUID.test(subscription)) return `has subscription ${quote(subscription)}, which is not a GUID.`;
    if (!RESOURCE_GROUP.test(group) || group.endsWith(".")) {
        return `has resource group ${quote(group)}: up to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.`;
    }
    if (!STORAGE_ACCOUNT_NAME.test(account)) {
        return `has storage account name ${quote(account)}: 3-24 lower-case letters and digits.`;
    }
    return undefined;
}

export function checkContainerName(value: unknown): string | undefined {
    if (typeof value !== "string") return `must be a blob container name, got ${describeType(value)}.`;
    if (!CONTAINER_NAME.test(value)) {
        return (
            `must be a blob container name: 3-63 lower-case letters, digits and single hyphens, ` +
            `starting and ending with a letter or digit; got ${quote(value)}.`
        );
    }
    return undefined;
}

/** The text and what it percent-decodes to, up to three times (a layer that is not valid encoding ends the list). */
function decodings(text: string): string[] {
    const out = [text];
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(out[out.length - 1]!); i++) {
        try {
            out.push(decodeURIComponent(out[out.length - 1]!));
        } catch {
            break;
        }
    }
    return out;
}

/** A blob name that must be a VHD. Rejects path tricks Graph or Storage would resolve differently than the user meant. */
export function checkVhdBlobName(value: unknown): string | undefined {
    if (typeof value !== "string") return `must be the blob name of a .vhd file, got ${describeType(value)}.`;
    if (value.length === 0 || value.length > 1024) return `must be 1-1024 characters long, got ${value.length}.`;
    if (CONTROL_CHARS.test(value)) return `contains control characters; use a plain blob name like "disks/os.vhd".`;
    if (INVISIBLE.test(value))
        return `contains invisible or right-to-left control characters (${quote(value)}); type the name again.`;
    if (value.includes("\\")) return `contains a backslash; blob paths use "/" (e.g. "disks/os.vhd").`;
    if (value.startsWith("/")) return `starts with "/"; give the name inside the container, e.g. "disks/os.vhd".`;
    if (value.split("/").some((s) => s === "." || s === ".." || s === "")) {
        return `has an empty, "." or ".." path segment (${quote(value)}); give the blob's exact name inside the container.`;
    }
    // A service that decodes the name once more (into a URL path) would see "%2e%2e" as "..", "%2f" as "/".
    const decoded = decodings(value).slice(1);
    if (
        decoded.some(
            (d) =>
                CONTROL_CHARS.test(d) ||
                d.includes("\\") ||
                d.startsWith("/") ||
                d.split("/").some((s) => s === "." || s === ".."),
        )
    ) {
        return `has a percent-encoded "..", ".", separator or control character (${quote(value)}); give the blob's literal name, not URL-encoded.`;
    }
    if (!value.toLowerCase().endsWith(".vhd")) {
        return (
            `must name a fixed-size VHD ending in ".vhd" (Windows 365 imports VHD files only); got ${quote(value)}. ` +
            `Convert VHDX disks with Convert-VHD -VHDType Fixed.`
        );
    }
    return undefined;
}

/** A SAS URL to a VHD blob: https, a container and blob path, a signature. The URL itself is never quoted back. */
export function checkSasUrl(value: unknown): string | undefined {
    if (typeof value !== "string") return `must be an https SAS URL string, got ${describeType(value)}.`;
    if (value.length > 8192 || CONTROL_CHARS.test(value))
        return `is not a valid URL (too long or contains control characters).`;
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `is not a valid URL; give the blob's full SAS URL (https://{account}.blob.core.windows.net/{container}/{blob}.vhd?{sas}).`;
    }
    if (url.protocol !== "https:")
        return `must use https (got ${brief(url.protocol.replace(":", ""))}); Windows 365 only reads blobs over https.`;
    if (url.username || url.password) return `must not carry a user name or password.`;
    if (!url.searchParams.get("sig")) {
        return `has no signature ("sig=" query parameter); generate a SAS with read permission on the blob and give the whole URL.`;
    }
    // The path as written: URL parsing resolves "..", "." and "%2e%2e" segments (".../vhds/../other/x.vhd" would
    // become "/other/x.vhd"), which would hide where the URL really points.
    const rawPath = /^https:\/\/[^/?#\\]*([^?#]*)/i.exec(value)?.[1] ?? url.pathname;
    const segments = rawPath.split("/").slice(1);
    if (segments.length < 2 || segments[0] === "") {
        return `must point at a blob inside a container (https://{account}.blob.core.windows.net/{container}/{blob}.vhd?...).`;
    }
    if (decodings(segments[0]!).some((c) => c === "." || c === ".." || c.includes("/") || c.includes("\\"))) {
        return `has a "." or ".." path segment (also percent-encoded) where the container belongs; give the blob's direct URL.`;
    }
    let blob: string;
    try {
        blob = decodeURIComponent(segments.slice(1).join("/"));
    } catch {
        return `is not correctly percent-encoded in its path; copy the SAS URL again from the storage account.`;
    }
    const blobProblem = checkVhdBlobName(blob);
    if (blobProblem) return `names a blob that ${blobProblem}`;
    return undefined;
}

export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID.test(value);
}
