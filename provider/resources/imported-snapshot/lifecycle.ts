// create / read / delete of an imported snapshot, on top of the snapshots API.
// Rule that keeps users unblocked: once Graph has accepted an import, every path either records its snapshotId in
// state (so destroy can purge it) or purges it before failing. Nothing is left behind that Pulumi does not know.
import { GraphError, GraphTransportError } from "../../graph/errors";
import type { GraphClient } from "../../graph/client";
import { importSnapshot } from "../../snapshots/imports";
import { canListImportResults, type ImportLookup } from "../../snapshots/import-results";
import { NoRouteError } from "../../snapshots/route-fallback";
import { recover, recoveryStart, type RecoveryEvent, type RecoveryFailure } from "../../snapshots/reconcile";
import { isUsersRecord } from "../../snapshots/users";
import { isTerminal, WaitTimeoutError, type ImportsGateway } from "../../snapshots/coalescing/imports-gateway";
import type { CloudPcSnapshotImportActionResult, ImportSnapshotRequest } from "../../snapshots/types";
import type { Progress } from "../../runtime/progress";
import type { Clock } from "../../util/clock";
import {
    sameResource,
    sameStack,
    type NoteKey,
    type PendingImport,
    type PendingImports,
} from "../../runtime/pending-imports";
import { describeOwner } from "../../validation/hidden-input";
import { CreatedButFailedError } from "../shared/created-but-failed";
import { dataFileName, sourceIdentity, toOutputs } from "./state";
import type { ImportedSnapshotInputs, ImportedSnapshotOutputs } from "./types";

export interface LifecycleContext {
    client: GraphClient;
    /** Reads, waits and purges: shared by the runtime's resources. */
    imports: ImportsGateway;
    progress: Progress;
    /** Polling while waiting for an import: first interval and cap, in ms. */
    poll: { initialMs: number; maxMs: number };
    graphEndpoint: string;
    /** Imports sent but not yet in state, on local disk: recognises this resource's own import after a kill. */
    pendingImports?: PendingImports;
    /** The runtime's clock: what create, the wait and the reconciliation read the time and pause with. */
    clock: Clock;
}

export interface Created {
    id: string;
    outs: ImportedSnapshotOutputs;
}

export function toRequest(inputs: ImportedSnapshotInputs): ImportSnapshotRequest {
    return {
        assignedUserId: inputs.assignedUserId,
        sourceFiles: inputs.sourceFiles.map((f) => ({
            sourceType: f.sourceType,
            fileType: f.fileType,
            ...(f.storageBlobInfo
                ? {
                      storageBlobInfo: {
                          storageAccountId: f.storageBlobInfo.storageAccountId,
                          containerName: f.storageBlobInfo.containerName,
                          fileName: String(f.storageBlobInfo.fileName ?? f.storageBlobInfo.blobName),
                      },
                  }
                : {}),
            ...(f.sasUrl ? { sasUrl: f.sasUrl } : {}),
        })),
    };
}

/** What create keeps track of for its pending-import note (runtime/pending-imports.ts). */
interface Attempt {
    note: NoteKey;
    /** Notes for this user from before this create began (an interrupted run's, or another stack's). */
    earlier: PendingImport[];
    /** Graph may hold an import of ours we could not find yet: keep the note without an id. */
    unknown: boolean;
    /** The import Graph holds for this create, once known. */
    snapshotId?: string;
    /** That import was purged again (it failed): nothing of ours is left in Graph. */
    purged: boolean;
}

export async function createImport(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    extra: Record<string, unknown> = {},
): Promise<Created> {
    if (inputs.adoptSnapshotId) return adoptImport(ctx, inputs, extra);
    // Noted before sending; the snapshotId is added the moment it is known. The note outlives a successful create:
    // only a later operation that shows the id (diff, read, update, delete) proves the engine recorded it.
    const note: NoteKey = { userId: inputs.assignedUserId, owner: inputs.owner, source: sourceIdentity(inputs) };
    const attempt: Attempt = {
        note,
        earlier: ctx.pendingImports?.forUser(inputs.assignedUserId) ?? [],
        unknown: false,
        purged: false,
    };
    ctx.pendingImports?.begin(note, dataFileName(inputs) ?? "");
    try {
        const created = await importAndFinish(ctx, inputs, extra, attempt);
        // A caller that names no stack and URN (not the resource classes): its resources cannot be told apart, so a
        // note outliving create could hand one resource's import to another. Forget it now, as before notes knew owners.
        if (!inputs.owner) ctx.pendingImports?.abandon(note);
        return created;
    } catch (err) {
        // Nothing of this create is in Graph: forget the note. (An import recorded by the engine as created-but-failed
        // keeps it until its id shows up in a later operation.)
        if (!attempt.unknown && (attempt.snapshotId === undefined || attempt.purged)) ctx.pendingImports?.abandon(note);
        throw err;
    }
}

function recordId(ctx: LifecycleContext, attempt: Attempt, snapshotId: string): void {
    attempt.snapshotId = snapshotId;
    ctx.pendingImports?.record(attempt.note, snapshotId);
}

async function importAndFinish(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    extra: Record<string, unknown>,
    attempt: Attempt,
): Promise<Created> {
    const sentAt = ctx.clock.now();
    let record: CloudPcSnapshotImportActionResult;
    try {
        record = await importSnapshot(ctx.client, toRequest(inputs));
    } catch (err) {
        ctx.imports.noteWrite(); // whatever happened, Graph may now hold a record an older read would miss
        // A reset or timeout after sending, or a 500/502/504 to the POST: Graph may have acted.
        if ((err instanceof GraphTransportError || err instanceof GraphError) && err.ambiguous) {
            attempt.unknown = true; // until the look below finds the import or finds there is none
            record = await recoverAmbiguousImport(ctx, inputs, sentAt, err);
            attempt.unknown = false;
        } else if (isAlreadyImported(err)) {
            // The user's import may be this resource's own: sent by a run that was stopped before the engine recorded
            // it (its note), or by an earlier attempt of this very call that Graph carried out although it answered
            // 503 (the client re-sent it). Otherwise it is someone else's: never taken over silently.
            const own = await ownImportAfterConflict(ctx, inputs, attempt, err);
            recordId(ctx, attempt, own.snapshotId!);
            return finishCreate(ctx, inputs, own.snapshotId!, own, extra, { purgeOnFailure: true, attempt });
        } else {
            throw err;
        }
    }
    ctx.imports.noteWrite();
    const snapshotId = record.snapshotId ?? (await findImportForUser(ctx, inputs, sentAt))?.snapshotId;
    if (!snapshotId) {
        attempt.unknown = true; // accepted: Graph holds something we cannot name
        throw new Error(
            `importSnapshot for user ${inputs.assignedUserId} was accepted but Graph returned no snapshotId, and no import ` +
                `for this user could be found. Check the import results in Graph before running pulumi up again.`,
        );
    }
    recordId(ctx, attempt, snapshotId);
    ctx.progress.info(
        `Import ${snapshotId} for user ${inputs.assignedUserId} started (${record.importStatus ?? "pending"}).`,
    );
    return finishCreate(ctx, inputs, snapshotId, record, extra, { purgeOnFailure: true, attempt });
}

/**
 * After a 409: the user's import when it is this resource's own, else throws the error that says whose it is.
 * Own means a note of this stack, this resource and this source names it (by snapshotId, or, when the run was
 * stopped before Graph answered, by file name and start time), or this very call's earlier attempt made it.
 * A note of another stack (or another resource or source of this stack) naming it is never taken over.
 */
async function ownImportAfterConflict(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    attempt: Attempt,
    cause: GraphError,
): Promise<CloudPcSnapshotImportActionResult> {
    // First this resource's own note that kept the id Graph returned: read by id, it needs no list of imports
    // (Graph's metadata declares none).
    const noted = attempt.earlier.find(
        (n) => n.snapshotId && sameResource(n.owner, attempt.note.owner) && n.source === attempt.note.source,
    );
    if (noted?.snapshotId) {
        const lookup = await ctx.imports.get(noted.snapshotId);
        if (lookup.kind !== "gone") {
            const record = lookup.kind === "found" ? lookup.record : { snapshotId: noted.snapshotId };
            ctx.progress.warn(
                `User ${inputs.assignedUserId} already has import ${noted.snapshotId} of the same file ` +
                    `(${record.filename ?? noted.fileName}, ${record.importStatus ?? "status not shown yet"}): taking it as this ` +
                    `resource's own (sent by a run that was stopped before Pulumi recorded it; its note kept the id) instead of importing twice.`,
            );
            return record;
        }
    }
    let existing: CloudPcSnapshotImportActionResult | undefined;
    try {
        existing = await findImportForUser(ctx, inputs);
    } catch {
        existing = undefined; // the conflict error below says what to do
    }
    const id = existing?.snapshotId?.toLowerCase();
    if (!existing || !id) throw await oneImportPerUserError(ctx, inputs, cause, existing);
    const byId = attempt.earlier.filter((n) => n.snapshotId?.toLowerCase() === id);
    const unanswered = attempt.earlier.filter(
        (n) =>
            n.snapshotId === null &&
            sameFile(existing.filename, n.fileName) &&
            Date.parse(existing.startDateTime ?? "") >= n.sentAt - 2 * 60_000,
    );
    const notes = byId.length > 0 ? byId : unanswered;
    const mine = notes.find((n) => sameResource(n.owner, attempt.note.owner) && n.source === attempt.note.source);
    if (mine) {
        ctx.progress.warn(
            `User ${inputs.assignedUserId} already has import ${existing.snapshotId} of the same file ` +
                `(${existing.filename}, started ${existing.startDateTime ?? "at an unknown time"}, ${existing.importStatus ?? "unknown status"}): ` +
                `taking it as this resource's own (sent by a run that was stopped before Pulumi recorded it) instead of importing twice.`,
        );
        return existing;
    }
    if (notes.length > 0) throw await oneImportPerUserError(ctx, inputs, cause, existing, notes[0]);
    if (cause.attempts > 1 && sameFile(existing.filename, dataFileName(inputs) ?? "")) {
        ctx.progress.warn(
            `User ${inputs.assignedUserId} already has import ${existing.snapshotId} of the same file: taking it as ` +
                `this resource's own (sent by an earlier attempt that Graph answered 503 to) instead of importing twice.`,
        );
        return existing;
    }
    throw await oneImportPerUserError(ctx, inputs, cause, existing);
}

async function adoptImport(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    extra: Record<string, unknown>,
): Promise<Created> {
    const id = inputs.adoptSnapshotId!;
    const lookup = await ctx.imports.get(id);
    if (lookup.kind === "gone") {
        throw new Error(
            `adoptSnapshotId ${id}: Graph has no imported snapshot with this snapshotId. ` +
                `Check the id, or remove adoptSnapshotId to import the sourceFiles instead.`,
        );
    }
    if (lookup.kind === "unknown") {
        // The user named an import Graph neither shows nor denies: take it as given rather than fail or import.
        ctx.progress.warn(
            `adoptSnapshotId ${id}: Graph's answers neither show this import nor prove it gone (${lookup.why}); ` +
                `adopting it as given. pulumi refresh reads its status once Graph shows it.`,
        );
        return { id, outs: toOutputs(inputs, id, { snapshotId: id }) };
    }
    const record = lookup.record;
    const principal = record.assignedUserPrincipalName;
    const owner = await userMatch(ctx, inputs.assignedUserId);
    if (principal && (isGuidLike(principal) || owner.upn) && !isUsersRecord(record, inputs.assignedUserId, owner.upn)) {
        throw new Error(
            `adoptSnapshotId ${id}: that import belongs to user ${principal}, not assignedUserId ${inputs.assignedUserId}` +
                `${owner.upn ? ` (${owner.upn})` : ""}. Set assignedUserId to the import's user, or adopt that user's own import.`,
        );
    }
    ctx.progress.info(
        `Adopting existing import ${id} for user ${inputs.assignedUserId} (${record.importStatus ?? "unknown status"}); nothing is imported.`,
    );
    // An adopted import is the user's existing data: never purge it on our own initiative.
    return finishCreate(ctx, inputs, id, record, extra, { purgeOnFailure: false });
}

async function finishCreate(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    snapshotId: string,
    first: CloudPcSnapshotImportActionResult,
    extra: Record<string, unknown>,
    opts: { purgeOnFailure: boolean; attempt?: Attempt },
): Promise<Created> {
    let record: CloudPcSnapshotImportActionResult | undefined = { ...first, snapshotId };
    const recorded = (message: string, rec = record) =>
        new CreatedButFailedError(message, snapshotId, { ...extra, ...toOutputs(inputs, snapshotId, rec) });
    try {
        if (inputs.waitForCompletion && !isTerminal(record.importStatus)) {
            record = await waitForImport(ctx, snapshotId, inputs);
        }
    } catch (err) {
        // The import exists in Graph: record it so refresh/destroy can see and purge it.
        throw recorded(
            `Import ${snapshotId} for user ${inputs.assignedUserId} was started but waiting for it failed: ${errorText(err)}`,
        );
    }
    if (!record) {
        throw new Error(
            `Import ${snapshotId} for user ${inputs.assignedUserId} disappeared from Graph while it was running ` +
                `(purged outside Pulumi?). Run pulumi up again to import anew.`,
        );
    }
    if (record.importStatus === "failed") {
        const detail = (record.additionalDetail ?? "Graph gave no additionalDetail").replace(/\.+$/, "");
        const what = `Import ${snapshotId} for user ${inputs.assignedUserId} failed: ${detail}`;
        if (!opts.purgeOnFailure)
            throw new Error(`${what}. The adopted record was left as it is; purge it to free the user's slot.`);
        try {
            await ctx.imports.purge(snapshotId);
            if (opts.attempt) opts.attempt.purged = true;
        } catch (err) {
            throw recorded(
                `${what}. Purging the failed record also failed (${errorText(err)}); it is kept in state so pulumi destroy or the next pulumi up can purge it.`,
            );
        }
        throw new Error(
            `${what}. The failed record was purged, so the user is not blocked; fix the source and run pulumi up again.`,
        );
    }
    return { id: snapshotId, outs: toOutputs(inputs, snapshotId, record) };
}

/** Waits until the import is terminal (or gone), reporting each status change with the elapsed time. */
async function waitForImport(
    ctx: LifecycleContext,
    snapshotId: string,
    inputs: ImportedSnapshotInputs,
): Promise<CloudPcSnapshotImportActionResult | undefined> {
    const started = ctx.clock.now();
    try {
        return await ctx.imports.wait(snapshotId, {
            deadline: started + inputs.timeoutMinutes * 60_000,
            onStatus: (record) =>
                ctx.progress.info(
                    `Import ${snapshotId} for user ${inputs.assignedUserId}: ` +
                        `${record.importStatus ?? "unknown"} after ${Math.round((ctx.clock.now() - started) / 1000)}s.`,
                ),
        });
    } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err;
        throw new Error(
            `still ${err.lastStatus ?? "running"} after ${inputs.timeoutMinutes} minute(s) (timeoutMinutes). ` +
                `The import goes on in Windows 365; run pulumi up again to keep waiting for it, raise timeoutMinutes, ` +
                `or set waitForCompletion: false and let pulumi refresh pick up its status.`,
        );
    }
}

/**
 * The POST may or may not have reached Graph. Importing again blindly could hit the one-per-user rule or import
 * twice, so look for this user's import first and adopt it; only when there is none, send the import once more.
 * What each answer leads to, and why that never leaves an import behind unnoticed, is snapshots/reconcile.ts.
 */
async function recoverAmbiguousImport(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    sentAt: number,
    cause: GraphTransportError | GraphError,
): Promise<CloudPcSnapshotImportActionResult> {
    const env = { poll: ctx.poll };
    let unknown = cause;
    const warnUnknown = () =>
        ctx.progress.warn(
            `importSnapshot for user ${inputs.assignedUserId}: the outcome is unknown ` +
                `(${unknown.message}; client-request-id ${unknown.clientRequestId}); checking whether Graph started the import before retrying.`,
        );
    warnUnknown();
    for (let s = recoveryStart(); ;) {
        switch (s.phase) {
            case "look": {
                // Where Graph cannot list, the look answers at once: no pause.
                if (s.delayMs > 0 && canList(ctx)) await ctx.clock.sleep(s.delayMs);
                if (s.fresh) ctx.imports.noteWrite(); // a new list pass, not the one just read
                const event = await lookForImport(ctx, inputs, sentAt);
                s = recover(s, event, env);
                if (event.kind === "look-failed" && s.phase === "look") {
                    ctx.progress.warn(
                        `Looking for user ${inputs.assignedUserId}'s import failed (${errorText(event.error)}); ` +
                            `trying again in ${s.delayMs} ms.`,
                    );
                }
                break;
            }
            case "send": {
                const event = await sendAgain(ctx, inputs);
                s = recover(s, event, env);
                if (event.kind === "unknown") {
                    unknown = event.error as GraphTransportError | GraphError;
                    warnUnknown();
                }
                break;
            }
            case "adopt":
                ctx.progress.info(
                    `Found import ${s.record.snapshotId} started by the interrupted request; adopting it instead of importing twice.`,
                );
                return s.record;
            case "imported":
                return s.record;
            case "failed":
                throw await recoveryError(ctx, inputs, s.failure, unknown);
        }
    }
}

/** One look for the user's import, as an event of the reconciliation machine. */
async function lookForImport(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    sentAt: number,
): Promise<RecoveryEvent> {
    if (!canList(ctx)) return { kind: "cannot-list" };
    try {
        const found = await findImportForUser(ctx, inputs, sentAt);
        if (found) return { kind: "found", record: found };
        return canList(ctx) ? { kind: "missed" } : { kind: "cannot-list" };
    } catch (error) {
        return { kind: "look-failed", error };
    }
}

/** importSnapshot once more, its answer as an event of the reconciliation machine. */
async function sendAgain(ctx: LifecycleContext, inputs: ImportedSnapshotInputs): Promise<RecoveryEvent> {
    try {
        return { kind: "accepted", record: await importSnapshot(ctx.client, toRequest(inputs)) };
    } catch (error) {
        ctx.imports.noteWrite();
        if ((error instanceof GraphTransportError || error instanceof GraphError) && error.ambiguous)
            return { kind: "unknown", error };
        if (isAlreadyImported(error)) return { kind: "already-imported", error };
        return { kind: "refused", error };
    }
}

/** The error a create fails with when reconciliation ends without an import; each says what Graph may hold. */
async function recoveryError(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    failure: RecoveryFailure,
    unknown: Error,
): Promise<unknown> {
    const user = `importSnapshot for user ${inputs.assignedUserId}`;
    const cannotLook = `Graph documents no call that lists a user's imports, so the provider cannot look`;
    const rerun = `Run pulumi up again: if an import was made, Graph refuses the next one and the error says how to adopt it (adoptSnapshotId).`;
    switch (failure.kind) {
        case "look-failed":
            return new Error(
                `${user}: the outcome is unknown and looking for the import failed ${failure.attempts} time(s) ` +
                    `(${errorText(failure.error)}). Graph may have started it: before running pulumi up again, list the user's ` +
                    `import results (getImportedSnapshots) and set adoptSnapshotId to its snapshotId if there is one.`,
            );
        case "may-have-imported":
            return new Error(
                `${user}: ${failure.sends} attempts got no usable answer, and Graph may have carried out one of ` +
                    `them: ${cannotLook}. ${rerun}\n${unknown.message}`,
            );
        case "nothing-imported":
            return new Error(
                `${user}: ${failure.sends} attempts got no usable answer, and Graph holds no import for this user, ` +
                    `so nothing was imported. Run pulumi up again.\n${unknown.message}`,
            );
        case "resend-failed":
            return new Error(
                `${user}: an earlier attempt's outcome is unknown (${unknown.message}) and Graph may have carried ` +
                    `it out: ${cannotLook}. Sending again failed: ${errorText(failure.error)}\n${rerun}`,
            );
        case "conflict":
            return oneImportPerUserError(ctx, inputs, failure.error as GraphError, undefined);
        case "refused":
            return failure.error;
    }
}

/** The user's UPN for matching records, or undefined (then matching falls back to file name and time). */
async function userMatch(ctx: LifecycleContext, userId: string): Promise<{ upn?: string }> {
    const found = await ctx.imports.api.users.upn(userId);
    if ("upn" in found) return { upn: found.upn };
    ctx.progress.warn(
        `Cannot match imports to user ${userId} by UPN: ${found.refused}. Matching on file name and start time instead.`,
    );
    return {};
}

/**
 * This user's import record: matched on the user's UPN (or object id), else on file name and start time.
 * Undefined when there is none, or when Graph offers no list of imports to look in (NoRouteError).
 */
export async function findImportForUser(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    notBefore?: number,
): Promise<CloudPcSnapshotImportActionResult | undefined> {
    if (!canList(ctx)) return undefined; // Graph offers no list of imports (asked once per process)
    let records: CloudPcSnapshotImportActionResult[];
    try {
        records = await ctx.imports.list();
    } catch (err) {
        if (err instanceof NoRouteError) return undefined;
        throw err;
    }
    const { upn } = await userMatch(ctx, inputs.assignedUserId);
    const byUser = records.filter((r) => isUsersRecord(r, inputs.assignedUserId, upn));
    if (byUser.length === 1) return byUser[0];
    if (byUser.length > 1) return byUser.find((r) => !isTerminal(r.importStatus)) ?? byUser[0];
    if (notBefore === undefined || upn) return undefined;
    // Without the UPN: fall back to the file and the time window.
    const file = stripVhd(dataFileName(inputs) ?? "");
    const since = notBefore - 2 * 60_000;
    const candidates = records.filter(
        (r) => stripVhd(r.filename ?? "") === file && Date.parse(r.startDateTime ?? "") >= since,
    );
    return candidates.length === 1 ? candidates[0] : undefined;
}

async function oneImportPerUserError(
    ctx: LifecycleContext,
    inputs: ImportedSnapshotInputs,
    cause: GraphError,
    existing: CloudPcSnapshotImportActionResult | undefined,
    whose?: PendingImport,
): Promise<Error> {
    const id = existing?.snapshotId;
    const purge =
        `az rest --method post --url ${ctx.graphEndpoint}/beta/deviceManagement/virtualEndpoint/snapshots/purgeImportedSnapshot ` +
        `--body '{"snapshotIds":["${id}"]}'`;
    let advice: string;
    if (id && whose) {
        advice =
            `User ${inputs.assignedUserId} already has imported snapshot ${id} (${existing?.importStatus ?? "unknown status"}, ` +
            `${existing?.usageStatus ?? "unknown usage"}), and this machine's pending-import notes say ${noteOwner(whose, inputs)} ` +
            `sent it (${whose.fileName || "unknown file"}, ${new Date(whose.sentAt).toISOString()}) and has not recorded it yet. ` +
            `It is not taken over automatically. If that resource still wants it, run pulumi up there. If this resource ` +
            `should manage it instead, set adoptSnapshotId: "${id}" (and drop it from the other program or state). ` +
            `To replace it, purge it first: ${purge}`;
    } else if (id) {
        advice =
            `User ${inputs.assignedUserId} already has imported snapshot ${id} (${existing?.importStatus ?? "unknown status"}, ` +
            `${existing?.usageStatus ?? "unknown usage"}). Graph allows one imported snapshot per user. ` +
            `To manage that import with Pulumi (also when it is this resource's own, from a run that was interrupted on ` +
            `another machine), set adoptSnapshotId: "${id}". To replace it, purge it first: ${purge}`;
    } else {
        advice =
            `User ${inputs.assignedUserId} already has an imported snapshot (Graph allows one per user), and its snapshotId ` +
            `is not known here: ${canList(ctx) ? "no import of this user was found in Graph's list of import results" : "Graph documents no call that lists a user's imports, so the provider cannot look it up"}. ` +
            `Find its snapshotId where the import was started (a pipeline log, or the pending-imports note of the machine that ran it), ` +
            `then set adoptSnapshotId to it, or purge it with purgeImportedSnapshot.`;
    }
    const err = new Error(`${advice}\n${cause.message}`);
    (err as Error & { cause?: unknown }).cause = cause;
    return err;
}

/** Whose note it is, seen from the resource now being created. */
function noteOwner(note: PendingImport, inputs: ImportedSnapshotInputs): string {
    const mine = inputs.owner;
    if (!note.owner) return "a program that did not name its stack (run from this project directory)";
    if (!sameStack(note.owner, mine))
        return `${describeOwner(note.owner)}${note.owner.urn ? ` (resource ${note.owner.urn})` : ""}`;
    if (!sameResource(note.owner, mine)) return `another resource of this stack (${note.owner.urn})`;
    return "this resource, for another source";
}

/**
 * The engine's "continue initialization" step: a resource recorded as created-but-failed (e.g. it outlived
 * timeoutMinutes) comes back with unchanged inputs. Pick the import up where it was: wait again if asked to,
 * and return the full outputs so state keeps its snapshotId and status.
 */
export async function resumeImport(
    ctx: LifecycleContext,
    id: string,
    inputs: ImportedSnapshotInputs,
    extra: Record<string, unknown> = {},
): Promise<ImportedSnapshotOutputs> {
    const lookup = await ctx.imports.get(id);
    if (lookup.kind === "gone") {
        throw new Error(
            `Import ${id} for user ${inputs.assignedUserId} is no longer in Graph (purged outside Pulumi?). ` +
                `Run pulumi refresh to drop it from state, then pulumi up to import again.`,
        );
    }
    if (lookup.kind === "unknown")
        ctx.progress.warn(`Import ${id}: Graph's answers do not show it yet (${lookup.why}); waiting on.`);
    const record = lookup.kind === "found" ? lookup.record : { snapshotId: id };
    ctx.progress.info(
        `Resuming import ${id} for user ${inputs.assignedUserId} (${record.importStatus ?? "unknown status"}).`,
    );
    return (await finishCreate(ctx, inputs, id, record, extra, { purgeOnFailure: !inputs.adoptSnapshotId })).outs;
}

/** refresh: the record as Graph has it now, proof that it is gone, or why neither is known. */
export async function readImport(ctx: LifecycleContext, id: string): Promise<ImportLookup> {
    const lookup = await ctx.imports.get(id);
    if (lookup.kind === "unknown") {
        ctx.progress.warn(
            `Imported snapshot ${id}: Graph's answers neither show it nor prove it gone (${lookup.why}). ` +
                `Kept in state unchanged. If you know it was purged: CLOUDPC_NOT_FOUND_MEANS_GONE=true pulumi refresh, or pulumi state delete.`,
        );
    }
    return lookup;
}

/** destroy: purge; a record that is already gone is success. */
export async function deleteImport(ctx: LifecycleContext, id: string): Promise<void> {
    try {
        await ctx.imports.purge(id);
        ctx.progress.info(`Purged imported snapshot ${id} (or it was already gone).`);
    } catch (err) {
        if (err instanceof GraphError && err.status === 409) {
            throw new Error(
                `Imported snapshot ${id} cannot be purged: it is in use (a Cloud PC was provisioned from it). ` +
                    `Deprovision that Cloud PC first, or remove the resource from state with pulumi state delete.\n${err.message}`,
            );
        }
        throw err;
    }
}

/**
 * Graph's refusal of a second import for a user. Its status is undocumented (409 is the likely one), so any 4xx
 * that says an import already exists counts.
 */
export function isAlreadyImported(err: unknown): err is GraphError {
    if (!(err instanceof GraphError) || err.status < 400 || err.status >= 500) return false;
    if (err.status === 409) return true;
    return /already\s+(has|have|exists?)/i.test(err.graphMessage) && /import|snapshot/i.test(err.graphMessage);
}

function canList(ctx: LifecycleContext): boolean {
    return canListImportResults(ctx.imports.api);
}

function isGuidLike(text: string): boolean {
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

function sameFile(a: string | null | undefined, b: string): boolean {
    return b !== "" && stripVhd(a ?? "") === stripVhd(b);
}

function stripVhd(name: string): string {
    return name.toLowerCase().replace(/\.vhd$/, "");
}

function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
