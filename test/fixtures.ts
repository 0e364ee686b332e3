// Valid inputs to start tests from; each test changes one thing.
export const USER = "93aff428-61f2-467f-a879-1102af6fd4a8";
export const OTHER_USER = "5b1e2c3d-4f50-4a6b-9c7d-8e9f0a1b2c3d";
export const STORAGE_ACCOUNT_ID =
    "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg-cloudpc/providers/Microsoft.Storage/storageAccounts/cloudpcvhds";
export const SAS_SIG = "sv2025CANARYsigABCDEF0123456789abcdefXYZ%3D";
export const SAS_URL = `https://cloudpcvhds.blob.core.windows.net/vhds/user1-os.vhd?sp=r&st=2026-11-01&se=2026-12-01&sv=2022-11-02&sr=b&sig=${SAS_SIG}`;

export function blobFile(fileName = "user1-os.vhd", container = "vhds") {
    return { storageBlobInfo: { storageAccountId: STORAGE_ACCOUNT_ID, containerName: container, fileName } };
}

export function inputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { assignedUserId: USER, sourceFiles: [blobFile()], ...overrides };
}

/**
 * The emulator dialect this test run uses (CLOUDPC_EMULATOR_DIALECT; scripts/test.sh runs the reading tests under
 * `metadata` and `seed`). Only `seed` has a list of every import, so only there can a lost answer be found again.
 */
export const DIALECT = (process.env.CLOUDPC_EMULATOR_DIALECT ?? "metadata") as "metadata" | "docs" | "seed";
export const CAN_LIST = DIALECT === "seed";
