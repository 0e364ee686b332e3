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
