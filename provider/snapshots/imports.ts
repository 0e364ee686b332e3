// importSnapshot and purgeImportedSnapshot (contract E1, E3).
import type { GraphClient } from "../graph/client";
import { SNAPSHOTS } from "./paths";
import type { CloudPcSnapshotImportActionResult, ImportSnapshotRequest } from "./types";

export { getImportResult, listImportResults } from "./import-results";

/** Starts an import. Not idempotent: a second call for the same user fails (one imported snapshot per user). */
export async function importSnapshot(client: GraphClient, request: ImportSnapshotRequest): Promise<CloudPcSnapshotImportActionResult> {
    const res = await client.request<CloudPcSnapshotImportActionResult>({
        method: "POST", path: `${SNAPSHOTS}/importSnapshot`, body: request, operation: "importSnapshot", idempotent: false,
    });
    return res.body ?? {};
}

/** Purges imported snapshots (or failed import records). Graph answers 204 with no per-id outcome. */
export async function purgeImportedSnapshots(client: GraphClient, snapshotIds: string[]): Promise<void> {
    // Purging is safe to repeat: the caller treats "not found" after a retry as done.
    await client.request<void>({
        method: "POST", path: `${SNAPSHOTS}/purgeImportedSnapshot`, body: { snapshotIds }, operation: "purgeImportedSnapshot", idempotent: true,
    });
}
