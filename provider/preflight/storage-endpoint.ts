// Where a storageBlobInfo blob is read: the blob endpoint of the configured national cloud, or the template in
// cloudpc:storageEndpoint (e.g. https://127.0.0.1:10000/{account} for the storage emulator Azurite, path-style).
import type { CloudName } from "../config/clouds";
import type { StorageBlobInfo } from "../resources/imported-snapshot/types";

export const STORAGE_ENDPOINTS: Readonly<Record<CloudName, string>> = Object.freeze({
    public: "https://{account}.blob.core.windows.net",
    usgovernment: "https://{account}.blob.core.usgovcloudapi.net",
    usgovernmentdod: "https://{account}.blob.core.usgovcloudapi.net",
    china: "https://{account}.blob.core.chinacloudapi.cn",
});

/** The token scope for Azure Storage, in every cloud. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** The blob's URL: the account is the last segment of storageAccountId; container and blob names are encoded. */
export function storageBlobUrl(template: string, info: StorageBlobInfo): string {
    const account = info.storageAccountId.split("/").filter(Boolean).pop() ?? "";
    const base = template.replace(/\{account\}/g, account).replace(/\/+$/, "");
    const blob = String(info.fileName ?? info.blobName ?? "")
        .split("/")
        .map(encodeURIComponent)
        .join("/");
    return `${base}/${encodeURIComponent(info.containerName)}/${blob}`;
}
