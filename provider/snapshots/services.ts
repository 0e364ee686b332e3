// Everything the snapshots code keeps for one Graph client, built once by the provider runtime and passed down:
// the client's route book and user directory (api.ts) and the imports gateway every resource shares.
import type { GraphClient } from "../graph/client";
import type { Clock } from "../util/clock";
import { createSnapshotsApi, type SnapshotsApi } from "./api";
import { CoalescedImports, type CoalescedObserver } from "./coalescing/coalesced";
import type { ImportsGateway } from "./coalescing/imports-gateway";
import { NaiveImports } from "./coalescing/naive";
import type { LookupOptions } from "./import-results";

export interface SnapshotsServicesOptions {
    /** Polling while waiting for an import: first interval and cap, in ms. */
    poll: { initialMs: number; maxMs: number };
    lookup?: LookupOptions;
    /** false: the per-resource gateway (the `coalesce` setting). */
    coalesce?: boolean;
    clock?: Clock;
    /** Counts list passes and purge requests (the benchmark). */
    observer?: CoalescedObserver;
}

export interface SnapshotsServices {
    api: SnapshotsApi;
    imports: ImportsGateway;
}

export function createSnapshotsServices(client: GraphClient, options: SnapshotsServicesOptions): SnapshotsServices {
    const api = createSnapshotsApi(client);
    const imports = options.coalesce === false
        ? new NaiveImports(api, options.poll, options.lookup)
        : new CoalescedImports(api, { pollIntervalMs: options.poll.initialMs, lookup: options.lookup, clock: options.clock, observer: options.observer });
    return { api, imports };
}
