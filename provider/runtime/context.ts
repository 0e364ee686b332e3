// What every resource in one provider process shares: the settings from `configure`, one Graph client (one
// connection pool, one token cache, one throttle) and the progress sink.
import * as path from "node:path";
import type { GraphClient } from "../graph/client";
import { getSharedClient } from "../graph/shared";
import { resolveSettings, type ProviderSettings } from "../config/settings";
import type { LifecycleContext } from "../resources/imported-snapshot/lifecycle";
import { CoalescedImports } from "../snapshots/coalescing/coalesced";
import type { ImportsGateway } from "../snapshots/coalescing/imports-gateway";
import { NaiveImports } from "../snapshots/coalescing/naive";
import { defaultPendingImportsDir, PendingImportsJournal, type PendingImports } from "./pending-imports";
import { pulumiProgress, type Progress } from "./progress";

interface ConfigSource { get(key: string): string | undefined }

let settings: ProviderSettings | undefined;
let progress: Progress = pulumiProgress;

/** Called from the dynamic provider's configure(): stack config `cloudpc:*` first, then the environment. */
export function configureFrom(config: ConfigSource | undefined): void {
    settings = resolveSettings(config, process.env);
}

export function currentSettings(): ProviderSettings {
    return (settings ??= resolveSettings(undefined, process.env));
}

export function useProgress(p: Progress): void {
    progress = p;
}

/** The progress sink in force (Pulumi's log, or what a test installed with useProgress). */
export function currentProgress(): Progress {
    return progress;
}

export function graphClient(): GraphClient {
    return getSharedClient(currentSettings(), progress);
}

/** Poll intervals while waiting for an import; CLOUDPC_POLL_INTERVAL_MS shortens them (the emulator's imports are quick). */
export function pollSettings(env: NodeJS.ProcessEnv = process.env): { initialMs: number; maxMs: number } {
    const initial = Number(env.CLOUDPC_POLL_INTERVAL_MS);
    return Number.isFinite(initial) && initial > 0
        ? { initialMs: initial, maxMs: Math.max(initial, Math.min(30_000, initial * 10)) }
        : { initialMs: 2_000, maxMs: 30_000 };
}

/** One gateway per client (so per process and settings): every resource shares its poller, list pass and purges. */
const gateways = new WeakMap<GraphClient, ImportsGateway>();

export function importsGateway(client: GraphClient = graphClient()): ImportsGateway {
    let gateway = gateways.get(client);
    if (!gateway) {
        const poll = pollSettings();
        const lookup = { notFoundMeansGone: currentSettings().notFoundMeansGone ?? false };
        gateway = currentSettings().coalesce === false
            ? new NaiveImports(client, poll, lookup)
            : new CoalescedImports(client, { pollIntervalMs: poll.initialMs, lookup });
        gateways.set(client, gateway);
    }
    return gateway;
}

/**
 * One journal per settings (so per process and stack config), scoped to its Graph endpoint and tenant; the notes
 * themselves name the stack and resource. Needs no Graph client: diff and read settle notes without calling Graph.
 */
const journals = new WeakMap<ProviderSettings, PendingImports>();

export function pendingImportsJournal(): PendingImports {
    const s = currentSettings();
    let journal = journals.get(s);
    if (!journal) {
        // A relative directory is the project's (the provider process's cwd), like every path a program gives.
        const dir = s.pendingImportsDir ? path.resolve(s.pendingImportsDir) : defaultPendingImportsDir();
        journal = new PendingImportsJournal(dir, [s.graphEndpoint, s.tenantId ?? ""],
            (m) => progress.debug(`pending-imports journal: ${m}`));
        journals.set(s, journal);
    }
    return journal;
}

export function lifecycleContext(): LifecycleContext {
    const client = graphClient();
    return {
        client, imports: importsGateway(client), progress, poll: pollSettings(), graphEndpoint: currentSettings().graphEndpoint,
        pendingImports: pendingImportsJournal(),
    };
}
