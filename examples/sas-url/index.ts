// A VHD imported as a Windows 365 snapshot through a SAS URL that the stack builds itself: a read-only,
// blob-scoped, https-only service SAS from Azure Resource Manager (@pulumi/azure-native's
// listStorageAccountServiceSAS), valid for `sasValidHours` from the moment the program runs.
//
// The URL is a credential, so it is a Pulumi secret from end to end:
//   1. the program wraps it in `pulumi.secret` as soon as it exists, so it cannot be printed or exported by mistake;
//   2. the resource stores it only as an encrypted input; its outputs hold only what it points at (scheme, host,
//      path, any snapshot/versionid), never its credentials;
//   3. the provider redacts `sig=` from every log line and error.
// Every run signs a new SAS (a new expiry, a new signature). That is no change: the provider compares the blob a
// SAS points at, not its credentials, so a second `pulumi up` imports nothing and `pulumi preview
// --expect-no-changes` passes. Another blob replaces the import.
//
// Stack config: `assignedUserId`, `resourceGroupName`, `storageAccountName`, `blobName` (required),
// `containerName` (default vhds), `sasValidHours` (default 24: the SAS must outlive the import's copy).
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
// In your own project: import { CloudPcImportedSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot } from "../../provider";

const cfg = new pulumi.Config();
const resourceGroupName = cfg.require("resourceGroupName");
const accountName = cfg.require("storageAccountName");
const containerName = cfg.get("containerName") ?? "vhds";
const blobName = cfg.require("blobName");
const validHours = cfg.getNumber("sasValidHours") ?? 24;

// The account's own blob endpoint (https://<account>.blob.core.windows.net/ in Azure's public cloud; another
// suffix in national clouds).
const account = storage.getStorageAccountOutput({ resourceGroupName, accountName });

const sas = storage.listStorageAccountServiceSASOutput({
    resourceGroupName,
    accountName,
    canonicalizedResource: `/blob/${accountName}/${containerName}/${blobName}`,
    resource: storage.SignedResource.B,
    permissions: storage.Permissions.R,
    protocols: storage.HttpProtocol.Https,
    sharedAccessExpiryTime: new Date(Date.now() + validHours * 3_600_000).toISOString(),
});

const blobPath = `${containerName}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
const sasUrl: pulumi.Output<string> = pulumi.secret(
    pulumi.interpolate`${account.primaryEndpoints.blob}${blobPath}?${sas.serviceSasToken}`,
);

const snapshot = new CloudPcImportedSnapshot("sas", {
    assignedUserId: cfg.require("assignedUserId"),
    sourceFiles: [{ sasUrl }],
});

export const snapshotId = snapshot.snapshotId;
export const importStatus = snapshot.importStatus;
// No output carries the URL. (`snapshot.sourceFiles` holds it without its query string, and the engine marks it
// secret anyway, because it comes from a secret input.)
