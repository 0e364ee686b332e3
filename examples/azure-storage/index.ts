// The full path in Azure, in one stack: a resource group, a storage account, a private blob container and the VHD
// uploaded into it as a blob (@pulumi/azure-native), then a Windows 365 import of that blob for one user.
// The import takes its storage account id, container and blob name from the Azure resources' outputs, so Pulumi
// creates them in order, and a new VHD (a new blob) replaces the import (purging the old one first: one import per
// user).
//
// Optionally, a restore point of one Cloud PC is taken and copied into the same storage account (CloudPcSnapshot).
//
// Stack config (`pulumi config set <key> <value>`): `assignedUserId` (required), `vhdPath` (required, a local
// fixed-size .vhd), `blobName` (default: the file's name), `windows365PrincipalId` (optional, see README.md),
// `cloudPcId` (optional: the Cloud PC to snapshot into the account), `restorePointTier` (default `cool`).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
// In your own project: import { CloudPcImportedSnapshot, CloudPcSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot, CloudPcSnapshot } from "../../provider";

const cfg = new pulumi.Config();
const assignedUserId = cfg.require("assignedUserId");
const vhdPath = cfg.require("vhdPath");
const blobName = cfg.get("blobName") ?? path.basename(vhdPath);

const group = new resources.ResourceGroup("cloudpc-snapshots");

// Private by construction: no anonymous blob access, HTTPS and TLS 1.2 only.
const account = new storage.StorageAccount("cloudpcvhds", {
    resourceGroupName: group.name,
    kind: storage.Kind.StorageV2,
    sku: { name: storage.SkuName.Standard_LRS },
    allowBlobPublicAccess: false,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
});

const container = new storage.BlobContainer("vhds", {
    resourceGroupName: group.name,
    accountName: account.name,
    publicAccess: storage.PublicAccess.None,
});

// Pulumi uploads the file when it changes (the asset's hash is part of the diff).
const vhd = new storage.Blob("os-disk", {
    resourceGroupName: group.name,
    accountName: account.name,
    containerName: container.name,
    blobName,
    type: storage.BlobType.Block,
    contentType: "application/octet-stream",
    source: new pulumi.asset.FileAsset(vhdPath),
});

// Optional: let the Windows 365 service read the container (its service principal's object id in your tenant).
const windows365PrincipalId = cfg.get("windows365PrincipalId");
const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const readers: pulumi.Resource[] = [];
if (windows365PrincipalId) {
    const client = authorization.getClientConfigOutput();
    readers.push(new authorization.RoleAssignment("windows365-reads-vhds", {
        principalId: windows365PrincipalId,
        principalType: authorization.PrincipalType.ServicePrincipal,
        roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER}`,
        scope: container.id,
    }));
}

const snapshot = new CloudPcImportedSnapshot("os-disk", {
    assignedUserId,
    sourceFiles: [{
        storageBlobInfo: {
            storageAccountId: account.id,
            containerName: container.name,
            fileName: vhd.name,
        },
    }],
}, { dependsOn: readers });

// A restore point of a Cloud PC, copied into the same account (Windows 365 writes it there as a blob). Graph has no
// delete for a restore point: `pulumi destroy` only forgets it, and Windows 365 expires it (see the README).
const cloudPcId = cfg.get("cloudPcId");
const restorePoint = cloudPcId
    ? new CloudPcSnapshot("restore-point", {
          cloudPcId,
          storageAccountId: account.id,
          accessTier: (cfg.get("restorePointTier") ?? "cool") as "hot" | "cool" | "cold" | "archive",
      }, { dependsOn: readers })
    : undefined;

export const storageAccountId = account.id;
export const containerName = container.name;
export const blobUrl = vhd.url;
export const snapshotId = snapshot.snapshotId;
export const importStatus = snapshot.importStatus;
export const policyName = snapshot.policyName;
export const restorePointId = restorePoint?.snapshotId;
export const restorePointExpires = restorePoint?.expirationDateTime;
