// Quickstart: one user, one VHD blob in an Azure storage account, imported as a Windows 365 Cloud PC snapshot.
// `pulumi up` imports it (and waits until Graph reports the import succeeded); `pulumi destroy` purges it.
// Every value comes from stack config (`pulumi config set <key> <value>`); the defaults are valid examples.
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { CloudPcImportedSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot } from "../../provider";

const cfg = new pulumi.Config();

const snapshot = new CloudPcImportedSnapshot("quickstart", {
    assignedUserId: cfg.get("assignedUserId") ?? "93aff428-61f2-467f-a879-1102af6fd4a8",
    sourceFiles: [
        {
            storageBlobInfo: {
                storageAccountId:
                    cfg.get("storageAccountId") ??
                    "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg-cloudpc/providers/Microsoft.Storage/storageAccounts/cloudpcvhds",
                containerName: cfg.get("containerName") ?? "vhds",
                blobName: cfg.get("blobName") ?? "quickstart-os.vhd",
            },
        },
    ],
});

export const snapshotId = snapshot.snapshotId;
export const importStatus = snapshot.importStatus;
export const assignedUserPrincipalName = snapshot.assignedUserPrincipalName;
export const policyName = snapshot.policyName;
export const startDateTime = snapshot.startDateTime;
export const endDateTime = snapshot.endDateTime;
