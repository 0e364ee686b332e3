// Graph clients for tests that need only a client: each from a provider runtime of its own, one per settings
// within a test file (as in a provider process), closed together.
import type { ProviderSettings } from "../../provider/config/settings";
import type { GraphClient } from "../../provider/graph/client";
import { RuntimeRegistry } from "../../provider/runtime/registry";

let registry = new RuntimeRegistry();

/** The client of the runtime for these settings (the same one for equal settings until closeGraphClients). */
export function graphClientFor(settings: ProviderSettings): GraphClient {
    return registry.forSettings(settings).graph;
}

/** Closes every client handed out and forgets their runtimes (a Graph that changed is met by new ones). */
export async function closeGraphClients(): Promise<void> {
    const old = registry;
    registry = new RuntimeRegistry();
    await old.closeAll();
}
