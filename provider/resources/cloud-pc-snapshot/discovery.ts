// Finding the restore point a createSnapshot made. Graph answers 204 with no id (contract E9), so the provider
// lists the Cloud PC's restore points before the POST (the baseline) and afterwards takes the new `manual` one
// taken after the baseline: never one that existed before, never one another create of this process adopted.
import type { PollSettings } from "../../runtime/runtime";
import type { SnapshotsApi } from "../../snapshots/api";
import { listCloudPcSnapshots } from "../../snapshots/restore-points";
import type { CloudPcSnapshot } from "../../snapshots/types";
import type { Clock } from "../../util/clock";

/** Tolerated difference between our clock and Graph's, used only when Graph sent no Date header. */
const CLOCK_SKEW_MS = 2 * 60_000;

export interface Baseline {
    /** Ids (lower-cased) listed before the POST. */
    seen: Set<string>;
    /** Epoch ms (Graph's clock when known): restore points created earlier are not ours. */
    notBefore: number;
    /** Ids another create of this runtime adopted (create-queue.ts): never ours. */
    claimed: ReadonlySet<string>;
}

export async function takeBaseline(
    api: SnapshotsApi,
    cloudPcId: string,
    claimed: ReadonlySet<string>,
    clock: Clock,
): Promise<Baseline> {
    const localBefore = clock.now();
    const { snapshots, serverTime } = await listCloudPcSnapshots(api, cloudPcId);
    // The Date header has whole seconds and is taken while answering: its second started before our POST.
    const notBefore = serverTime !== undefined ? Math.floor(serverTime / 1000) * 1000 : localBefore - CLOCK_SKEW_MS;
    return { seen: new Set(snapshots.map((s) => s.id.toLowerCase())), notBefore, claimed };
}

/** A manual restore point (or one without a type: older responses omit it) that is new since the baseline. */
export function newCandidates(snapshots: CloudPcSnapshot[], baseline: Baseline): CloudPcSnapshot[] {
    return snapshots
        .filter((s) => {
            const id = s.id.toLowerCase();
            if (baseline.seen.has(id) || baseline.claimed.has(id)) return false;
            if (s.snapshotType !== undefined && s.snapshotType !== null && s.snapshotType !== "manual") return false;
            const created = Date.parse(s.createdDateTime ?? "");
            return Number.isNaN(created) || created >= baseline.notBefore;
        })
        .sort((a, b) => (Date.parse(a.createdDateTime ?? "") || 0) - (Date.parse(b.createdDateTime ?? "") || 0));
}

export interface Discovered {
    snapshot: CloudPcSnapshot;
    /** Other new manual restore points seen at the same time (someone else's, or an earlier attempt's). */
    others: CloudPcSnapshot[];
}

/**
 * Polls the Cloud PC's restore points until a new one appears, and claims it (in `claimed`) in the same step, so no
 * other create can pick it; undefined when `until` passes first.
 */
export async function waitForNewSnapshot(
    api: SnapshotsApi,
    cloudPcId: string,
    baseline: Baseline,
    until: number,
    o: { poll: PollSettings; claimed: Set<string>; clock: Clock },
): Promise<Discovered | undefined> {
    const { poll, claimed, clock } = o;
    let interval = poll.initialMs;
    for (;;) {
        const { snapshots } = await listCloudPcSnapshots(api, cloudPcId);
        const [first, ...others] = newCandidates(snapshots, baseline);
        if (first) {
            claimed.add(first.id.toLowerCase());
            return { snapshot: first, others };
        }
        const left = until - clock.now();
        if (left <= 0) return undefined;
        await clock.sleep(Math.min(interval, left));
        interval = Math.min(poll.maxMs, Math.round(interval * 1.5));
    }
}
