// The program the workflow in .github/workflows/ deploys: one Windows 365 snapshot import, described entirely by
// the checked-in stack config (Pulumi.prod.yaml), so a pull request that changes the blob shows the replacement in
// its `pulumi preview`, and merging it runs `pulumi up`. The provider authenticates from the environment the
// workflow sets (ARM_USE_OIDC, AZURE_CLIENT_ID, AZURE_TENANT_ID) and the ID-token request URL and token the runner
// gives a job with `id-token: write`: no stored secret, no token file.
// For many users, use the fleet example's program here instead.
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { CloudPcImportedSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot } from "../../provider";

const cfg = new pulumi.Config();

const snapshot = new CloudPcImportedSnapshot("snapshot", {
    assignedUserId: cfg.require("assignedUserId"),
    sourceFiles: [
        {
            storageBlobInfo: {
                storageAccountId: cfg.require("storageAccountId"),
                containerName: cfg.require("containerName"),
                fileName: cfg.require("blobName"),
            },
        },
    ],
    // Imports of large disks take hours: `pulumi config set waitForCompletion false` lets the job end once Graph
    // accepted the import (`pulumi refresh` later reports its status). Changing it never re-imports.
    waitForCompletion: cfg.getBoolean("waitForCompletion") ?? true,
});

export const snapshotId = snapshot.snapshotId;
export const importStatus = snapshot.importStatus;
