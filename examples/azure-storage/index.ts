// The Azure side in one stack (@pulumi/azure-native): a storage account set up the way Windows 365 asks for the
// destination of a Cloud PC's restore point (Microsoft's "Place a Cloud PC under review": Premium page blobs,
// TLS 1.2, public network access, and the Windows 365 service principal holding Storage Account Contributor and
// Storage Blob Data Contributor on it), a private container for VHDs, then:
//   - a Windows 365 import of a VHD blob in that container for one user (CloudPcImportedSnapshot), and
//   - optionally, a restore point of one Cloud PC copied into the same account (CloudPcSnapshot).
//
// The VHD itself is NOT a Pulumi asset: it is uploaded once, out of band, with azcopy as a page blob (README.md),
// and the program names it by `blobName`. A FileAsset would be read and hashed in full on every preview and up
// (minutes for a disk of tens of GB), and azure-native's Blob writes block or append blobs only, which a Premium
// page-blob account does not hold.
//
// Stack config (`pulumi config set <key> <value>`): `windows365PrincipalId` (required: the object id of the
// Windows 365 service principal in your tenant), `assignedUserId` and `blobName` (both or neither: the import),
// `cloudPcId` (optional: the restore point), `restorePointTier` (optional: hot, cool, cold, archive).
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
// In your own project: import { CloudPcImportedSnapshot, CloudPcSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot, CloudPcSnapshot } from "../../provider";

const cfg = new pulumi.Config();
const windows365PrincipalId = cfg.require("windows365PrincipalId");
const assignedUserId = cfg.get("assignedUserId");
const blobName = cfg.get("blobName");
if (Boolean(assignedUserId) !== Boolean(blobName)) {
    throw new Error("set both assignedUserId and blobName (the import), or neither (the storage account only)");
}

const group = new resources.ResourceGroup("cloudpc-snapshots");

// "Performance: Premium, Premium account type: Page blobs" is a StorageV2 account with a Premium SKU.
// "Permit scope for copy operations" (allowedCopyScope) must stay unset: Windows 365 copies from its own accounts.
const account = new storage.StorageAccount("cloudpcvhds", {
    resourceGroupName: group.name,
    kind: storage.Kind.StorageV2,
    sku: { name: storage.SkuName.Premium_LRS },
    minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
    publicNetworkAccess: storage.PublicNetworkAccess.Enabled,
    networkRuleSet: { defaultAction: storage.DefaultAction.Allow },
    // Reachable from all networks, but never anonymously: every request needs Entra ID, a key or a SAS.
    allowBlobPublicAccess: false,
    enableHttpsTrafficOnly: true,
});

const container = new storage.BlobContainer("vhds", {
    resourceGroupName: group.name,
    accountName: account.name,
    publicAccess: storage.PublicAccess.None,
});

// The two roles Windows 365 needs on the account, for the Windows 365 service principal of this tenant.
const ROLES = {
    "storage-account-contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "storage-blob-data-contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
};
const subscriptionId = authorization.getClientConfigOutput().subscriptionId;
const grants = Object.entries(ROLES).map(
    ([name, role]) =>
        new authorization.RoleAssignment(`windows365-${name}`, {
            principalId: windows365PrincipalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
            scope: account.id,
        }),
);

// The import of a VHD already in the container (uploaded with azcopy). A new blob name replaces the import (the
// user's old import is purged first: Graph allows one per user); re-uploading under the same name does not.
const snapshot =
    assignedUserId && blobName
        ? new CloudPcImportedSnapshot(
              "os-disk",
              {
                  assignedUserId,
                  sourceFiles: [
                      {
                          storageBlobInfo: {
                              storageAccountId: account.id,
                              containerName: container.name,
                              fileName: blobName,
                          },
                      },
                  ],
              },
              { dependsOn: grants },
          )
        : undefined;

// A restore point of a Cloud PC, copied into the account. Graph has no delete for a restore point: `pulumi destroy`
// only forgets it (with a warning), and Windows 365 expires it.
const cloudPcId = cfg.get("cloudPcId");
const restorePointTier = cfg.get("restorePointTier") as "hot" | "cool" | "cold" | "archive" | undefined;
const restorePoint = cloudPcId
    ? new CloudPcSnapshot(
          "restore-point",
          {
              cloudPcId,
              storageAccountId: account.id,
              ...(restorePointTier ? { accessTier: restorePointTier } : {}),
          },
          { dependsOn: grants },
      )
    : undefined;

export const storageAccountId = account.id;
export const storageAccountName = account.name;
export const containerName = container.name;
export const snapshotId = snapshot?.snapshotId;
export const importStatus = snapshot?.importStatus;
export const policyName = snapshot?.policyName;
export const restorePointId = restorePoint?.snapshotId;
export const restorePointExpires = restorePoint?.expirationDateTime;
