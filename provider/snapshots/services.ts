// Everything the snapshots code keeps for one Graph client, built once by the provider runtime and passed down:
// the client's route book and user directory (api.ts) and the imports gateway every resource shares.
import type { GraphClient } from "../graph/client";
import type { Clock } from "../util/clock";
import { createSnapshotsApi, type SnapshotsApi } from "./api";
import { CoalescedImports, type CoalescedObserver } from "./coalescing/coalesced";
import type { ImportsGateway } from "./coalescing/imports-gateway";
import type { LookupOptions } from "./import-results";

/** Polling while waiting for an import: the first interval and the cap, in ms. */
export interface PollSettings {
    initialMs: number;
    maxMs: number;
}

/** Builds an imports gateway other than the coalesced one (the benchmark's per-resource baseline). */
export type GatewayFactory = (
    api: SnapshotsApi,
    options: { poll: PollSettings; lookup: LookupOptions },
) => ImportsGateway;

export interface SnapshotsServicesOptions {
    poll: PollSettings;
    lookup?: LookupOptions;
    clock?: Clock;
    gatewayFactory?: GatewayFactory;
    /** Counts list passes and purge requests (the benchmark). */
    observer?: CoalescedObserver;
}

export interface SnapshotsServices {
    api: SnapshotsApi;
    imports: ImportsGateway;
}

export function createSnapshotsServices(client: GraphClient, options: SnapshotsServicesOptions): SnapshotsServices {
    const api = createSnapshotsApi(client);
    const lookup = options.lookup ?? {};
    const imports = options.gatewayFactory
        ? options.gatewayFactory(api, { poll: options.poll, lookup })
        : new CoalescedImports(api, {
              pollIntervalMs: options.poll.initialMs,
              lookup,
              clock: options.clock,
              observer: options.observer,
          });
    return { api, imports };
}
