// Graph clients and their snapshots APIs for tests that need only those: each from a provider runtime of its own,
// one per settings within a test file (as in a provider process), closed together.
import type { ProviderSettings } from "../../provider/config/settings";
import type { GraphClient } from "../../provider/graph/client";
import { RuntimeRegistry } from "../../provider/runtime/registry";
import type { SnapshotsApi } from "../../provider/snapshots/api";

let registry = new RuntimeRegistry();

/** The client of the runtime for these settings (the same one for equal settings until closeGraphClients). */
export function graphClientFor(settings: ProviderSettings): GraphClient {
    return registry.forSettings(settings).graph;
}

/** The snapshots API of that runtime: its client, with what it learned of Graph's routes and users. */
export function snapshotsApiFor(settings: ProviderSettings): SnapshotsApi {
    return registry.forSettings(settings).api;
}

/** Closes every client handed out and forgets their runtimes (a Graph that changed is met by new ones). */
export async function closeGraphClients(): Promise<void> {
    const old = registry;
    registry = new RuntimeRegistry();
    await old.closeAll();
}
