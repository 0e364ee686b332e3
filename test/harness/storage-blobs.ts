// Blobs in Azurite's development account for the preflight tests: a small synthetic fixed VHD (1 MiB of zeros and a
// footer per the VHD specification), uploads as page or block blobs, SAS URLs, and an OAuth token Azurite accepts.
import type { AccessToken, TokenCredential } from "@azure/identity";
import {
    BlobSASPermissions,
    BlobServiceClient,
    generateBlobSASQueryParameters,
    StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { fixedVhdFooter } from "../../provider/preflight/vhd-footer";
import { DEV_ACCOUNT, DEV_KEY } from "./azurite";

export const DISK_SIZE = 1024 * 1024;

/** A fixed VHD: the disk's bytes, then its footer. */
export function syntheticFixedVhd(diskSize = DISK_SIZE, type = 2): Buffer {
    return Buffer.concat([Buffer.alloc(diskSize), fixedVhdFooter(diskSize, type)]);
}

export class DevStorage {
    readonly key = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
    readonly service: BlobServiceClient;

    constructor(readonly origin: string) {
        this.service = new BlobServiceClient(`${origin}/${DEV_ACCOUNT}`, this.key);
    }

    async container(name: string): Promise<void> {
        await this.service.getContainerClient(name).createIfNotExists();
    }

    async putPageBlob(container: string, blob: string, data: Buffer): Promise<void> {
        const client = this.service.getContainerClient(container).getPageBlobClient(blob);
        await client.create(data.length);
        await client.uploadPages(data, 0, data.length);
    }

    async putBlockBlob(container: string, blob: string, data: Buffer): Promise<void> {
        await this.service.getContainerClient(container).getBlockBlobClient(blob).uploadData(data);
    }

    /** A read SAS for the blob, path-style on `origin` (the proxy's or Azurite's own). */
    sasUrl(
        origin: string,
        container: string,
        blob: string,
        expiresOn: Date,
        startsOn = new Date(Date.now() - 60_000),
    ): string {
        const sas = generateBlobSASQueryParameters(
            {
                containerName: container,
                blobName: blob,
                permissions: BlobSASPermissions.parse("r"),
                startsOn,
                expiresOn,
            },
            this.key,
        ).toString();
        return `${origin}/${DEV_ACCOUNT}/${container}/${blob}?${sas}`;
    }
}

/** Tokens Azurite's OAuth "basic" mode accepts: Entra-shaped claims (it checks audience, issuer and lifetime). */
export class AzuriteTokenCredential implements TokenCredential {
    readonly scopes: string[] = [];

    async getToken(scopes: string | string[]): Promise<AccessToken> {
        this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
        const now = Math.floor(Date.now() / 1000);
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const claims = {
            aud: "https://storage.azure.com",
            iss: "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
            nbf: now - 60,
            exp: now + 3600,
            iat: now - 60,
        };
        return {
            token: `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.sig`,
            expiresOnTimestamp: (now + 3600) * 1000,
        };
    }
}
