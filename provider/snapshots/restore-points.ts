// Restore points of a Cloud PC (cloudPcSnapshot, contract E6-E11).
// Reads moved: the current route is cloudPC: retrieveSnapshots (E8); the tenant-wide GET /snapshots (E6) is
// deprecated and GET /snapshots/{id} (E7) removed. Following the contract's decision, the current route goes first
// and the older ones are used only when Graph answers that the newer one does not exist (remembered per process).
//
// Not used, on purpose: the SDK's generic POST /snapshots and DELETE /snapshots/{id} (contract E6 note). They come
// from the metadata's navigation property, are documented nowhere as supported, and take no part in any published
// operation; createSnapshot (E9) is the documented way to take a restore point, and no delete is documented.
import { GraphError } from "../graph/errors";
import type { GraphClient } from "../graph/client";
import { followPages } from "../graph/paging";
import { CLOUD_PCS, SNAPSHOTS } from "./paths";
import type { FallbackRoute } from "./route-fallback";
import type { SnapshotsApi } from "./api";
import type { BlobAccessTier, CloudPcSnapshot, ODataCollection, RestorePointProperties } from "./types";

/** Every documented property of a restore point, null when Graph left it out (state and results never hold undefined). */
export function restorePointProperties(s: CloudPcSnapshot | undefined): RestorePointProperties {
    return {
        status: s?.status ?? null,
        snapshotType: s?.snapshotType ?? null,
        healthCheckStatus: s?.healthCheckStatus ?? null,
        createdDateTime: s?.createdDateTime ?? null,
        expirationDateTime: s?.expirationDateTime ?? null,
        lastRestoredDateTime: s?.lastRestoredDateTime ?? null,
    };
}

export type SnapshotReadRoute = "retrieveSnapshots" | "listSnapshots" | "getSnapshot";

const FAMILY = "restore-point read";
const RETRIEVE: FallbackRoute<SnapshotReadRoute> = { name: "retrieveSnapshots", segment: "retrieveSnapshots" };
const LIST: FallbackRoute<SnapshotReadRoute> = { name: "listSnapshots", segment: "snapshots" };
const GET: FallbackRoute<SnapshotReadRoute> = { name: "getSnapshot", segment: "snapshots" };

/** Order of routes to list one Cloud PC's restore points, current first. */
export const LIST_ROUTES: readonly FallbackRoute<SnapshotReadRoute>[] = [RETRIEVE, LIST];

export interface SnapshotList {
    snapshots: CloudPcSnapshot[];
    /** Graph's clock when it answered (the first page's Date header), epoch ms; undefined without one. */
    serverTime?: number;
    route: SnapshotReadRoute;
}

/**
 * `snapshotType` is an evolvable enum whose `retention` member comes after `unknownFutureValue`: Graph sends such
 * members only to clients that ask for them, and `unknownFutureValue` otherwise (so retention restore points would
 * never show as such). Every restore-point read asks.
 */
export const INCLUDE_UNKNOWN_ENUM_MEMBERS: Readonly<Record<string, string>> = Object.freeze({
    prefer: "include-unknown-enum-members",
});

const cloudPcPath = (cloudPcId: string): string => `${CLOUD_PCS}/${encodeURIComponent(cloudPcId)}`;
const sameId = (a: unknown, b: string): boolean => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** Every page of a collection, plus the Date header of the first page. */
async function collect(
    client: GraphClient,
    path: string,
    operation: string,
): Promise<{ items: CloudPcSnapshot[]; serverTime?: number }> {
    let serverTime: number | undefined;
    const items: CloudPcSnapshot[] = [];
    const fetchPage = async (p: string) => {
        const res = await client.request<ODataCollection<CloudPcSnapshot>>({
            method: "GET",
            path: p,
            operation,
            headers: INCLUDE_UNKNOWN_ENUM_MEMBERS,
        });
        if (serverTime === undefined) {
            const date = Date.parse(res.headers["date"] ?? "");
            if (!Number.isNaN(date)) serverTime = date;
        }
        return res;
    };
    for await (const page of followPages<CloudPcSnapshot>(path, operation, fetchPage)) items.push(...page);
    return { items, serverTime };
}

async function listVia(client: GraphClient, route: SnapshotReadRoute, cloudPcId: string): Promise<SnapshotList> {
    if (route === "retrieveSnapshots") {
        const { items, serverTime } = await collect(
            client,
            `${cloudPcPath(cloudPcId)}/retrieveSnapshots`,
            "retrieveSnapshots",
        );
        return { snapshots: items, serverTime, route };
    }
    const filter = encodeURIComponent(`cloudPcId eq ${odataLiteral(cloudPcId)}`);
    const { items, serverTime } = await collect(client, `${SNAPSHOTS}?$filter=${filter}`, "listSnapshots");
    // The filter is documented for this list; filter again in case a deployment ignores it.
    return { snapshots: items.filter((s) => sameId(s.cloudPcId, cloudPcId)), serverTime, route };
}

/** One Cloud PC's restore points: retrieveSnapshots, or the deprecated filtered list where Graph lacks it. */
export function listCloudPcSnapshots(api: SnapshotsApi, cloudPcId: string): Promise<SnapshotList> {
    const { client, routes } = api;
    return routes.run(FAMILY, LIST_ROUTES, (route) => listVia(client, route, cloudPcId));
}

/**
 * One restore point, or undefined when Graph has none with this id (or its Cloud PC is gone). With the Cloud PC's
 * id it reads the current list (retrieveSnapshots); without it, the deprecated list filtered by id. The removed
 * GET /snapshots/{id} comes last in both orders: Graph may still route it (the metadata declares it) yet answer 404
 * for every id, which would read as "gone".
 */
export async function getCloudPcSnapshot(
    api: SnapshotsApi,
    id: string,
    cloudPcId?: string,
): Promise<CloudPcSnapshot | undefined> {
    const { client, routes } = api;
    const order = cloudPcId ? [RETRIEVE, LIST, GET] : [LIST, GET];
    try {
        return await routes.run(FAMILY, order, async (route) => {
            if (route === "getSnapshot") {
                const res = await client.request<CloudPcSnapshot>({
                    method: "GET",
                    path: `${SNAPSHOTS}/${encodeURIComponent(id)}`,
                    operation: "getSnapshot",
                    headers: INCLUDE_UNKNOWN_ENUM_MEMBERS,
                });
                return pickOne(res.body, id);
            }
            if (route === "listSnapshots" && !cloudPcId) {
                const { items } = await collect(
                    client,
                    `${SNAPSHOTS}?$filter=${encodeURIComponent(`id eq ${odataLiteral(id)}`)}`,
                    "listSnapshots",
                );
                return items.find((s) => sameId(s.id, id));
            }
            return (await listVia(client, route, cloudPcId!)).snapshots.find((s) => sameId(s.id, id));
        });
    } catch (err) {
        // 404 on the Cloud PC (deprovisioned) or on the id: the restore point is not there any more.
        if (err instanceof GraphError && err.status === 404) return undefined;
        throw err;
    }
}

/** The removed GET-by-id wrapped the entity in `value` in its example (contract I-9): accept both. */
function pickOne(body: unknown, id: string): CloudPcSnapshot | undefined {
    if (!body || typeof body !== "object") return undefined;
    const value = (body as { value?: unknown }).value;
    const entity = (value && typeof value === "object" && !Array.isArray(value) ? value : body) as CloudPcSnapshot;
    return sameId(entity.id, id) ? entity : undefined;
}

function odataLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

export interface CreateSnapshotOptions {
    /** ARM id of a storage account that receives a copy of the restore point. */
    storageAccountId?: string;
    accessTier?: BlobAccessTier;
}

/**
 * createSnapshot (E9): 204, no id; the restore point appears in the lists later. Not idempotent: a repeat takes a
 * second restore point, so the client retries it only when Graph surely did not act. Returns Graph's clock.
 */
export async function createSnapshot(
    client: GraphClient,
    cloudPcId: string,
    options: CreateSnapshotOptions = {},
): Promise<{ serverTime?: number }> {
    const body =
        options.storageAccountId || options.accessTier
            ? {
                  ...(options.storageAccountId ? { storageAccountId: options.storageAccountId } : {}),
                  ...(options.accessTier ? { accessTier: options.accessTier } : {}),
              }
            : undefined;
    const res = await client.request<void>({
        method: "POST",
        path: `${cloudPcPath(cloudPcId)}/createSnapshot`,
        body,
        operation: "createSnapshot",
        idempotent: false,
    });
    const date = Date.parse(res.headers["date"] ?? "");
    return { serverTime: Number.isNaN(date) ? undefined : date };
}

/** restore (E10): puts the Cloud PC back to one of its restore points. Asynchronous on Graph's side (204). */
export async function restoreCloudPc(client: GraphClient, cloudPcId: string, cloudPcSnapshotId: string): Promise<void> {
    await client.request<void>({
        method: "POST",
        path: `${cloudPcPath(cloudPcId)}/restore`,
        body: { cloudPcSnapshotId },
        operation: "restore",
        idempotent: false,
    });
}

export interface ShareSnapshotOptions {
    cloudPcSnapshotId: string;
    storageAccountId: string;
    /** Default `hot` (Graph's default). */
    accessTier?: BlobAccessTier;
}

/** shareSnapshot (E11): copies a restore point to a customer storage account (204). */
export async function shareCloudPcSnapshot(
    client: GraphClient,
    cloudPcId: string,
    options: ShareSnapshotOptions,
): Promise<void> {
    await client.request<void>({
        method: "POST",
        path: `${cloudPcPath(cloudPcId)}/shareSnapshot`,
        operation: "shareSnapshot",
        idempotent: false,
        body: {
            cloudPcSnapshotId: options.cloudPcSnapshotId,
            storageAccountId: options.storageAccountId,
            accessTier: options.accessTier ?? "hot",
        },
    });
}
