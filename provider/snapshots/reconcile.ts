// Reconciliation: what the provider concludes from Graph's answers when the fate of an import is in doubt. Two
// machines, as data and pure functions; lifecycle.ts (a create whose importSnapshot got no usable answer) and the
// gateway's poller (coalesced.ts: waiting for an import) drive them and do the I/O.
//
// Invariant (test/unit/reconcile.property.test.ts checks it over random sequences of Graph's answers):
// - Nothing is purged or dropped from state without proof it is gone. Only a lookup of kind "gone" proves it
//   (import-results.ts decides: a 2xx collection of the plural read without the record, or a 404 the user accepts
//   with notFoundMeansGone). A list pass that misses the record, an error, a refusal: none of them is proof.
// - An unknown outcome is never taken as absence. After an importSnapshot whose answer was lost, the create ends
//   only by adopting the import it finds, by a fresh send Graph accepts (Graph allows one import per user, so a
//   resend cannot import twice: it is refused while the first one lives), by failing with "nothing was imported"
//   after MISSES_FOR_ABSENT consecutive list passes without the user's import, or by failing with an error that says
//   Graph may hold an import and how to adopt it.
// - So no import is left that Pulumi does not know without the user being told where to look for it.
import { GraphAuthenticationError, GraphError, GraphTransportError } from "../graph/errors";
import type { CloudPcSnapshotImportActionResult } from "./types";
import type { ImportLookup } from "./import-results";
import { isTerminal } from "./coalescing/imports-gateway";

/** Sends of importSnapshot for one create while every answer leaves the outcome unknown (each after a look). */
export const MAX_IMPORT_SENDS = 3;
/** Looks for the user's import while the look itself fails transiently (after the client's own retries). */
export const LOOKUP_ATTEMPTS = 5;
/** Consecutive list passes that must all miss before the provider takes it that Graph holds no import for the user. */
export const MISSES_FOR_ABSENT = 3;
/** A waited-for record missing from this many consecutive list passes is looked up by id (one miss is a race). */
export const MISSES_FOR_GONE = 2;

/**
 * Worth asking again, unchanged: the failure says nothing of the import. No answer, a timeout, throttling, a server
 * error, an unusable body, or a token that failed (it may be renewed).
 */
export function isTransient(err: unknown): boolean {
    if (err instanceof GraphTransportError || err instanceof GraphAuthenticationError) return true;
    if (!(err instanceof GraphError)) return false;
    return [401, 408, 429].includes(err.status) || err.status >= 500 || err.code === "InvalidResponse";
}

type Record_ = CloudPcSnapshotImportActionResult;

// ---- A create whose importSnapshot had an unknown outcome ----

/** Why the machine is looking for the user's import. */
export type LookPurpose =
    /** After an unknown outcome: a miss allows another send. */
    | "before-send"
    /** No more sends: only consecutive misses show that nothing was imported. */
    | "confirm-absent"
    /** A resend was refused with "already has an import": the earlier send landed after all; find it. */
    | "after-conflict";

export type RecoveryState =
    | {
          phase: "look";
          purpose: LookPurpose;
          sends: number;
          /** Consecutive list passes without the user's import (for this purpose). */
          misses: number;
          /** Consecutive failed looks (reset by any answer). */
          failures: number;
          /** Wait this long before looking (a backoff after a failed look, a poll interval for a fresh pass). */
          delayMs: number;
          /** Start a new list pass rather than reuse a recent one. */
          fresh: boolean;
          /** A resend's refusal, reported if the looks find nothing. */
          refusal?: unknown;
      }
    | { phase: "send"; sends: number }
    | { phase: "adopt"; record: Record_ }
    | { phase: "imported"; record: Record_ }
    | { phase: "failed"; failure: RecoveryFailure };

export type RecoveryFailure =
    /** Looking failed (not transiently, or LOOKUP_ATTEMPTS times): Graph may hold the import. */
    | { kind: "look-failed"; error: unknown; attempts: number }
    /** MAX_IMPORT_SENDS unknown outcomes where Graph cannot list: it may hold the import. */
    | { kind: "may-have-imported"; sends: number }
    /** A resend failed where Graph cannot list: the earlier send may have imported. */
    | { kind: "resend-failed"; error: unknown }
    /** A resend was refused with "already has an import" and no look found it. */
    | { kind: "conflict"; error: unknown }
    /** A resend was refused otherwise, and MISSES_FOR_ABSENT list passes showed no import: nothing was imported. */
    | { kind: "refused"; error: unknown }
    /** MISSES_FOR_ABSENT list passes showed no import after MAX_IMPORT_SENDS unknown outcomes: nothing was imported. */
    | { kind: "nothing-imported"; sends: number };

export type RecoveryEvent =
    | { kind: "found"; record: Record_ }
    /** A list pass completed without the user's import. */
    | { kind: "missed" }
    /** Graph offers no list of imports to look in. */
    | { kind: "cannot-list" }
    | { kind: "look-failed"; error: unknown }
    | { kind: "accepted"; record: Record_ }
    /** The send's answer was lost (ambiguous transport error, 500/502/504). */
    | { kind: "unknown"; error: unknown }
    | { kind: "already-imported"; error: unknown }
    | { kind: "refused"; error: unknown };

export interface RecoveryEnv {
    /** Polling settings: a failed look backs off from initialMs to maxMs; a fresh pass waits initialMs. */
    poll: { initialMs: number; maxMs: number };
}

/** The state right after the first importSnapshot's outcome turned out unknown. */
export function recoveryStart(): RecoveryState {
    return look("before-send", 1, 0, 0, false);
}

function look(
    purpose: LookPurpose,
    sends: number,
    misses: number,
    delayMs: number,
    fresh: boolean,
    refusal?: unknown,
): RecoveryState {
    return {
        phase: "look",
        purpose,
        sends,
        misses,
        failures: 0,
        delayMs,
        fresh,
        ...(refusal !== undefined ? { refusal } : {}),
    };
}

function fail(failure: RecoveryFailure): RecoveryState {
    return { phase: "failed", failure };
}

/** True once the machine stopped: the driver adopts, returns or throws. */
export function isSettled(s: RecoveryState): boolean {
    return s.phase === "adopt" || s.phase === "imported" || s.phase === "failed";
}

/** The next state. Events that do not fit the phase (a send's answer while looking) are a driver bug: thrown. */
export function recover(s: RecoveryState, e: RecoveryEvent, env: RecoveryEnv): RecoveryState {
    if (s.phase === "look") return afterLook(s, e, env);
    if (s.phase === "send") return afterSend(s, e, env);
    throw new Error(`reconcile: ${e.kind} after the machine settled (${s.phase})`);
}

function afterLook(s: Extract<RecoveryState, { phase: "look" }>, e: RecoveryEvent, env: RecoveryEnv): RecoveryState {
    const fresh = env.poll.initialMs;
    switch (e.kind) {
        case "found":
            return { phase: "adopt", record: e.record };
        case "look-failed": {
            const failures = s.failures + 1;
            if (failures >= LOOKUP_ATTEMPTS || !isTransient(e.error))
                return fail({ kind: "look-failed", error: e.error, attempts: failures });
            const delayMs = Math.min(env.poll.maxMs, env.poll.initialMs * 2 ** (failures - 1));
            return { ...s, failures, delayMs, fresh: false };
        }
        case "cannot-list":
            // No list to look in: nothing is known of the earlier sends.
            if (s.purpose === "after-conflict") return fail({ kind: "conflict", error: s.refusal });
            if (s.purpose === "confirm-absent" && s.refusal !== undefined)
                return fail({ kind: "resend-failed", error: s.refusal });
            if (s.sends < MAX_IMPORT_SENDS && s.purpose === "before-send") return { phase: "send", sends: s.sends };
            return fail({ kind: "may-have-imported", sends: s.sends });
        case "missed": {
            const misses = s.misses + 1;
            if (s.purpose === "before-send") {
                if (s.sends < MAX_IMPORT_SENDS) return { phase: "send", sends: s.sends };
                return misses >= MISSES_FOR_ABSENT
                    ? fail({ kind: "nothing-imported", sends: s.sends })
                    : look("confirm-absent", s.sends, misses, fresh, true);
            }
            if (s.purpose === "confirm-absent") {
                if (misses < MISSES_FOR_ABSENT) return look("confirm-absent", s.sends, misses, fresh, true, s.refusal);
                return s.refusal !== undefined
                    ? fail({ kind: "refused", error: s.refusal })
                    : fail({ kind: "nothing-imported", sends: s.sends });
            }
            return misses >= LOOKUP_ATTEMPTS
                ? fail({ kind: "conflict", error: s.refusal })
                : look("after-conflict", s.sends, misses, fresh, true, s.refusal);
        }
        default:
            throw new Error(`reconcile: a send's answer (${e.kind}) while looking`);
    }
}

function afterSend(s: Extract<RecoveryState, { phase: "send" }>, e: RecoveryEvent, env: RecoveryEnv): RecoveryState {
    const sends = s.sends + 1;
    const fresh = env.poll.initialMs;
    switch (e.kind) {
        case "accepted":
            return { phase: "imported", record: e.record };
        case "unknown":
            return look("before-send", sends, 0, 0, false);
        case "already-imported":
            // An earlier send landed between our look and this one: find it on a new list pass.
            return look("after-conflict", sends, 0, fresh, true, e.error);
        case "refused":
            // This failure says nothing of the earlier send, which may have imported: look until absence is shown.
            return look("confirm-absent", sends, 0, 0, false, e.error);
        default:
            throw new Error(`reconcile: a look's answer (${e.kind}) while sending`);
    }
}

// ---- Waiting for an import (the gateway's poller) ----

export interface WatchState {
    /** The last importStatus reported to the waiter. */
    last?: string;
    /** Consecutive list passes that did not show the record. */
    misses: number;
}

export type WatchEvent =
    /** A lookup: from a list pass ("unknown" when it missed the record) or by id. */
    | { kind: "lookup"; lookup: ImportLookup; fromList: boolean }
    /** The pass or read failed (after the client's retries). */
    | { kind: "failed"; error: unknown };

export type WatchAction =
    | { kind: "resolve"; record: Record_ }
    /** Proven gone (a lookup of kind "gone"): the only way a wait ends without a record. */
    | { kind: "gone" }
    | { kind: "reject"; error: unknown }
    | { kind: "timeout" }
    /** Missed by MISSES_FOR_GONE list passes: look it up by id before anything is concluded. */
    | { kind: "confirm" }
    | { kind: "wait" };

export interface WatchStep {
    state: WatchState;
    action: WatchAction;
    /** The record to report to the waiter: its status changed (or this is the first sighting). */
    report?: Record_;
}

export interface WatchEnv {
    now: number;
    pollIntervalMs: number;
    deadline: number;
}

/** One answer for a waiter: what it learns, and whether it keeps waiting. */
export function watch(s: WatchState, e: WatchEvent, env: WatchEnv): WatchStep {
    const orTimeout = (state: WatchState, report?: Record_): WatchStep => ({
        state,
        report,
        action: env.now + env.pollIntervalMs > env.deadline ? { kind: "timeout" } : { kind: "wait" },
    });
    if (e.kind === "failed") {
        // A transient failure only costs this pass; anything else ends the wait (the caller records the import).
        return isTransient(e.error) ? orTimeout(s) : { state: s, action: { kind: "reject", error: e.error } };
    }
    const { lookup } = e;
    if (lookup.kind === "gone") return { state: s, action: { kind: "gone" } };
    if (lookup.kind === "found") {
        const status = lookup.record.importStatus ?? undefined;
        const changed = status !== s.last;
        const state = { last: changed ? status : s.last, misses: 0 };
        const report = changed ? lookup.record : undefined;
        if (isTerminal(status)) return { state, report, action: { kind: "resolve", record: lookup.record } };
        return orTimeout(state, report);
    }
    if (!e.fromList) return orTimeout({ ...s, misses: 0 });
    const misses = s.misses + 1;
    if (misses >= MISSES_FOR_GONE) return { state: { ...s, misses: 0 }, action: { kind: "confirm" } };
    return orTimeout({ ...s, misses });
}
