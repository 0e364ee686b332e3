// create / resume / read / delete of a Cloud PC restore point, on top of the snapshots API.
// Graph's createSnapshot answers 204 without an id, and Graph has no delete: so create must find its own restore
// point (discovery.ts), and delete can only drop it from state, saying so.
import { GraphError, GraphTransportError } from "../../graph/errors";
import type { Progress } from "../../runtime/progress";
import type { PollSettings } from "../../runtime/runtime";
import type { SnapshotsApi } from "../../snapshots/api";
import { createSnapshot, getCloudPcSnapshot } from "../../snapshots/restore-points";
import type { CloudPcSnapshot } from "../../snapshots/types";
import type { Clock } from "../../util/clock";
import { CreatedButFailedError } from "../shared/created-but-failed";
import type { CreateQueue } from "./create-queue";
import { takeBaseline, waitForNewSnapshot, type Discovered } from "./discovery";
import { isReady, toOutputs } from "./state";
import type { CloudPcSnapshotInputs, CloudPcSnapshotOutputs } from "./types";

export interface SnapshotContext {
    /** The runtime's snapshots API: its client, and the routes Graph proved for restore-point reads. */
    api: SnapshotsApi;
    progress: Progress;
    poll: PollSettings;
    /** After a createSnapshot whose outcome is unknown: how long to look for its restore point before sending it again. */
    reconcileMs: number;
    /** The runtime's creates per Cloud PC and the restore points they adopted (create-queue.ts). */
    queue: CreateQueue;
    clock: Clock;
}

export interface Created {
    id: string;
    outs: CloudPcSnapshotOutputs;
}

const elapsed = (ctx: SnapshotContext, since: number): string => `${Math.round((ctx.clock.now() - since) / 1000)}s`;

export async function createCloudPcSnapshot(
    ctx: SnapshotContext,
    inputs: CloudPcSnapshotInputs,
    extra: Record<string, unknown> = {},
): Promise<Created> {
    const pc = inputs.cloudPcId.toLowerCase();
    const { perCloudPc } = ctx.queue;
    if (perCloudPc.busy(pc)) {
        ctx.progress.info(
            `Cloud PC ${inputs.cloudPcId}: another snapshot of this Cloud PC is being identified first ` +
                `(createSnapshot returns no id, so creates on one Cloud PC run one at a time).`,
        );
    }
    // The clock for timeoutMinutes starts when this create's turn comes.
    const { found, started } = await perCloudPc.run(pc, async () => {
        const startedAt = ctx.clock.now();
        return {
            found: await takeAndIdentify(ctx, inputs, startedAt + inputs.timeoutMinutes * 60_000),
            started: startedAt,
        };
    });
    const { snapshot, others } = found;
    if (others.length > 0) {
        ctx.progress.warn(
            `Cloud PC ${inputs.cloudPcId}: other new manual snapshots appeared at the same time (${others.map((o) => o.id).join(", ")}); ` +
                `this resource took ${snapshot.id}, the earliest. Graph has no delete: the others stay until Windows 365 expires them.`,
        );
    }
    ctx.progress.info(
        `Snapshot ${snapshot.id} of Cloud PC ${inputs.cloudPcId} found (${snapshot.status ?? "no status"}) after ${elapsed(ctx, started)}.`,
    );
    return finish(ctx, inputs, snapshot, extra, started);
}

/** Sends createSnapshot and finds the restore point it made; runs alone for its Cloud PC (see create-queue.ts). */
async function takeAndIdentify(
    ctx: SnapshotContext,
    inputs: CloudPcSnapshotInputs,
    deadline: number,
): Promise<Discovered> {
    const { api, progress } = ctx;
    const baseline = await takeBaseline(api, inputs.cloudPcId, ctx.queue.claimed, ctx.clock);
    const looking = { poll: ctx.poll, claimed: ctx.queue.claimed, clock: ctx.clock };
    const options = {
        storageAccountId: inputs.storageAccountId,
        accessTier: inputs.storageAccountId ? inputs.accessTier : undefined,
    };
    let unknownOutcome: GraphError | GraphTransportError | undefined;
    try {
        await createSnapshot(api.client, inputs.cloudPcId, options);
    } catch (err) {
        // A reset or timeout after sending, or a 500/502/504: Graph may have taken the snapshot.
        if (!((err instanceof GraphTransportError || err instanceof GraphError) && err.ambiguous)) throw err;
        unknownOutcome = err;
        progress.warn(
            `createSnapshot for Cloud PC ${inputs.cloudPcId}: the outcome is unknown (${err.message}); ` +
                `looking for a new snapshot before sending it again.`,
        );
    }
    const until = unknownOutcome ? Math.min(deadline, ctx.clock.now() + ctx.reconcileMs) : deadline;
    let found = await waitForNewSnapshot(api, inputs.cloudPcId, baseline, until, looking);
    if (!found && unknownOutcome) {
        progress.warn(
            `createSnapshot for Cloud PC ${inputs.cloudPcId}: no new snapshot appeared within ${Math.round(ctx.reconcileMs / 1000)}s; sending it once more.`,
        );
        await createSnapshot(api.client, inputs.cloudPcId, options);
        found = await waitForNewSnapshot(api, inputs.cloudPcId, baseline, deadline, looking);
    }
    if (!found) {
        throw new Error(
            `createSnapshot for Cloud PC ${inputs.cloudPcId} was accepted, but no new manual snapshot appeared within ` +
                `${inputs.timeoutMinutes} minute(s) (timeoutMinutes). Graph returns no id for createSnapshot, so nothing was recorded in state. ` +
                `If it appears later it stays until Windows 365 expires it (Graph has no delete); list it with getCloudPcSnapshots. ` +
                `Raise timeoutMinutes and run pulumi up again.`,
        );
    }
    return found;
}

/** Waits until the restore point is ready (unless asked not to); past the deadline it is recorded, not orphaned. */
async function finish(
    ctx: SnapshotContext,
    inputs: CloudPcSnapshotInputs,
    first: CloudPcSnapshot,
    extra: Record<string, unknown>,
    started: number,
): Promise<Created> {
    const id = first.id;
    let snapshot: CloudPcSnapshot | undefined = first;
    if (inputs.waitForCompletion && !isReady(snapshot)) {
        try {
            snapshot = await waitUntilReady(ctx, id, inputs, started + inputs.timeoutMinutes * 60_000, started);
        } catch (err) {
            const message = `Snapshot ${id} of Cloud PC ${inputs.cloudPcId} was taken but waiting for it failed: ${err instanceof Error ? err.message : String(err)}`;
            throw new CreatedButFailedError(message, id, { ...extra, ...toOutputs(inputs, id, snapshot) });
        }
        if (!snapshot) {
            throw new Error(
                `Snapshot ${id} of Cloud PC ${inputs.cloudPcId} disappeared from Graph while it was being taken ` +
                    `(expired, or the Cloud PC was deprovisioned). Run pulumi up again to take a new one.`,
            );
        }
    }
    warnIfUnhealthy(ctx, snapshot);
    return { id, outs: toOutputs(inputs, id, snapshot) };
}

/** Resolves with the ready restore point, undefined when it is gone; throws at the deadline. */
async function waitUntilReady(
    ctx: SnapshotContext,
    id: string,
    inputs: CloudPcSnapshotInputs,
    deadline: number,
    started: number,
): Promise<CloudPcSnapshot | undefined> {
    let interval = ctx.poll.initialMs;
    let last: string | undefined;
    for (;;) {
        const snapshot = await getCloudPcSnapshot(ctx.api, id, inputs.cloudPcId);
        if (!snapshot) return undefined;
        if (snapshot.status !== last) {
            last = snapshot.status ?? undefined;
            ctx.progress.info(
                `Snapshot ${id} of Cloud PC ${inputs.cloudPcId}: ${last ?? "no status"} after ${elapsed(ctx, started)}.`,
            );
        }
        if (isReady(snapshot)) return snapshot;
        const left = deadline - ctx.clock.now();
        if (left <= 0) {
            throw new Error(
                `still ${last ?? "not ready"} after ${inputs.timeoutMinutes} minute(s) (timeoutMinutes). The snapshot goes on in ` +
                    `Windows 365; run pulumi up again to keep waiting for it, raise timeoutMinutes, or set waitForCompletion: false.`,
            );
        }
        await ctx.clock.sleep(Math.min(interval, left));
        interval = Math.min(ctx.poll.maxMs, Math.round(interval * 1.5));
    }
}

/** The engine calls update only to continue a resource recorded as created-but-failed: wait for it again. */
export async function resumeCloudPcSnapshot(
    ctx: SnapshotContext,
    id: string,
    inputs: CloudPcSnapshotInputs,
    extra: Record<string, unknown> = {},
): Promise<CloudPcSnapshotOutputs> {
    const snapshot = await getCloudPcSnapshot(ctx.api, id, inputs.cloudPcId);
    if (!snapshot) {
        throw new Error(
            `Snapshot ${id} of Cloud PC ${inputs.cloudPcId} is no longer in Graph (expired?). ` +
                `Run pulumi refresh to drop it from state, then pulumi up to take a new one.`,
        );
    }
    ctx.progress.info(`Resuming snapshot ${id} of Cloud PC ${inputs.cloudPcId} (${snapshot.status ?? "no status"}).`);
    return (await finish(ctx, inputs, snapshot, extra, ctx.clock.now())).outs;
}

/** refresh: the restore point as Graph has it now, or undefined when it is gone. */
export function readCloudPcSnapshot(
    ctx: SnapshotContext,
    id: string,
    cloudPcId: string | undefined,
): Promise<CloudPcSnapshot | undefined> {
    return getCloudPcSnapshot(ctx.api, id, cloudPcId);
}

/** destroy: Graph has no delete for a restore point, so the resource only leaves the state; say so plainly. */
export function forgetCloudPcSnapshot(ctx: SnapshotContext, id: string, props: Record<string, unknown>): void {
    const pc = typeof props.cloudPcId === "string" ? ` of Cloud PC ${props.cloudPcId}` : "";
    const expires =
        typeof props.expirationDateTime === "string" ? ` (expirationDateTime ${props.expirationDateTime})` : "";
    ctx.progress.warn(
        `Snapshot ${id}${pc} was removed from the Pulumi state only: Microsoft Graph has no API to delete a Cloud PC ` +
            `snapshot, so it stays in Windows 365 until it expires${expires}.`,
    );
}

function warnIfUnhealthy(ctx: SnapshotContext, s: CloudPcSnapshot | undefined): void {
    if (s?.healthCheckStatus === "unhealthy") {
        ctx.progress.warn(
            `Snapshot ${s.id} of Cloud PC ${s.cloudPcId} is ready but its health check says unhealthy ` +
                `(session host and VM agent connectivity both failed when it was taken); restoring from it may not give a working Cloud PC.`,
        );
    }
}
