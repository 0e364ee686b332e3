// One GraphClient per provider process and settings. Pulumi runs every resource of a dynamic provider in one
// process, so sharing the client shares its connection pool, its throttle (a 429 pauses everyone) and its
// token cache. Clients are keyed by a hash of the settings, secrets included, so changed credentials get a
// new client and no secret is kept in plain text as a key.

import { createHash } from "node:crypto";
import { createCredential } from "../config/credential";
import { tokenScope, type ProviderSettings } from "../config/settings";
import { GraphClient, type GraphClientOptions } from "./client";

/** Client options besides what the settings determine. */
export type SharedClientOptions = Omit<GraphClientOptions, "graphEndpoint" | "credential" | "scope" | "allowInsecureLoopback" | "authorityHost">;

const clients = new Map<string, GraphClient>();

export function settingsKey(s: ProviderSettings): string {
    const ordered = Object.keys(s).sort().map((k) => [k, (s as unknown as Record<string, unknown>)[k]]);
    return createHash("sha256").update(JSON.stringify(ordered)).digest("hex");
}

/**
 * The process's client for these settings, created on first use. `options` apply only when the client is
 * created (the first caller's options win).
 */
export function sharedGraphClient(settings: ProviderSettings, options: SharedClientOptions = {}): GraphClient {
    const key = settingsKey(settings);
    let client = clients.get(key);
    if (!client) {
        const { credential } = createCredential(settings);
        client = new GraphClient({
            ...options,
            graphEndpoint: settings.graphEndpoint,
            credential,
            scope: tokenScope(settings),
            allowInsecureLoopback: settings.allowInsecureLoopback ?? false,
            authorityHost: settings.authorityHost,
        });
        clients.set(key, client);
    }
    return client;
}

/** Closes and forgets every shared client (end of process, tests). */
export async function closeSharedGraphClients(): Promise<void> {
    const all = [...clients.values()];
    clients.clear();
    await Promise.all(all.map((c) => c.close()));
}

/** Shorthand used by the provider runtime: the shared client, logging to `log` when it is created. */
export function getSharedClient(settings: ProviderSettings, log?: GraphClientOptions["log"]): GraphClient {
    return sharedGraphClient(settings, log ? { log } : {});
}
