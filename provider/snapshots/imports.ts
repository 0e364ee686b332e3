// importSnapshot and purgeImportedSnapshot (contract E1, E3).
import { snapshotImportCloudHint } from "../config/clouds";
import type { GraphClient } from "../graph/client";
import { GraphError } from "../graph/errors";
import { SNAPSHOTS } from "./paths";
import type { CloudPcSnapshotImportActionResult, ImportSnapshotRequest } from "./types";

export { getImportResult, listImportResults } from "./import-results";

/** Statuses with which Graph refuses an operation it may not offer (not throttling, conflicts or tokens). */
const REFUSALS = new Set([400, 403, 404, 405, 501]);

/** Runs `call`; a refusal in a cloud where Microsoft does not document import and purge says so (clouds.ts). */
async function withCloudHint<T>(client: GraphClient, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (err) {
        const hint =
            err instanceof GraphError && REFUSALS.has(err.status)
                ? snapshotImportCloudHint(client.endpoint.origin)
                : undefined;
        if (hint) (err as GraphError).message += ` ${hint}`;
        throw err;
    }
}

/** Starts an import. Not idempotent: a second call for the same user fails (one imported snapshot per user). */
export async function importSnapshot(
    client: GraphClient,
    request: ImportSnapshotRequest,
): Promise<CloudPcSnapshotImportActionResult> {
    const res = await withCloudHint(client, () =>
        client.request<CloudPcSnapshotImportActionResult>({
            method: "POST",
            path: `${SNAPSHOTS}/importSnapshot`,
            body: request,
            operation: "importSnapshot",
            idempotent: false,
        }),
    );
    return res.body ?? {};
}

/** Purges imported snapshots (or failed import records). Graph answers 204 with no per-id outcome. */
export async function purgeImportedSnapshots(client: GraphClient, snapshotIds: string[]): Promise<void> {
    // Purging is safe to repeat: the caller treats "not found" after a retry as done.
    await withCloudHint(client, () =>
        client.request<void>({
            method: "POST",
            path: `${SNAPSHOTS}/purgeImportedSnapshot`,
            body: { snapshotIds },
            operation: "purgeImportedSnapshot",
            idempotent: true,
        }),
    );
}
