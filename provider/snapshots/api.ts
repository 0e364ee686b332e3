// What the snapshots code knows about one Graph client, owned by one object per client instead of module-level maps:
// which routes Graph answers (route-fallback.ts) and users' UPNs (users.ts). The provider runtime builds one with
// createSnapshotsServices (services.ts) and passes it down.
import type { GraphClient } from "../graph/client";
import { RouteBook } from "./route-fallback";
import { UserDirectory } from "./users";

export interface SnapshotsApi {
    readonly client: GraphClient;
    readonly routes: RouteBook;
    readonly users: UserDirectory;
}

export function createSnapshotsApi(client: GraphClient): SnapshotsApi {
    return { client, routes: new RouteBook(), users: new UserDirectory(client) };
}

/** A snapshots API, or a bare client (the entry points kept until every caller passes the API). */
export type ApiTarget = GraphClient | SnapshotsApi;

/**
 * Transitional: callers that still pass a bare GraphClient share one API per client. This map is the one piece
 * of module-level state left in snapshots/; it goes once the runtime passes createSnapshotsServices' API everywhere.
 */
const byClient = new WeakMap<GraphClient, SnapshotsApi>();

export function apiOf(target: ApiTarget): SnapshotsApi {
    if ("routes" in target) return target;
    let api = byClient.get(target);
    if (!api) byClient.set(target, (api = createSnapshotsApi(target)));
    return api;
}
