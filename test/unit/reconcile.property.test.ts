// The reconciliation machines (provider/snapshots/reconcile.ts) against random sequences of Graph's answers: the
// invariant at the top of that file holds whatever Graph says, and in whatever order.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { GraphError, GraphTransportError } from "../../provider/graph/errors";
import {
    isSettled,
    isTransient,
    LOOKUP_ATTEMPTS,
    MAX_IMPORT_SENDS,
    MISSES_FOR_ABSENT,
    MISSES_FOR_GONE,
    recover,
    recoveryStart,
    watch,
    type RecoveryEvent,
    type RecoveryState,
    type WatchAction,
    type WatchEvent,
    type WatchState,
} from "../../provider/snapshots/reconcile";

const env = { poll: { initialMs: 100, maxMs: 1_000 } };

const transient = (): unknown =>
    new GraphError({ status: 503, code: "ServiceUnavailable", graphMessage: "busy", operation: "x" } as never);
const permanent = (): unknown =>
    new GraphError({ status: 403, code: "Forbidden", graphMessage: "no", operation: "x" } as never);
const lost = (): unknown =>
    new GraphTransportError({
        operation: "importSnapshot",
        clientRequestId: "c",
        ambiguous: true,
        code: "ECONNRESET",
        detail: "reset",
    });
const conflict = (): unknown =>
    new GraphError({
        status: 409,
        code: "Conflict",
        graphMessage: "already has an import",
        operation: "importSnapshot",
    } as never);
const refusal = (): unknown =>
    new GraphError({ status: 400, code: "BadRequest", graphMessage: "bad", operation: "importSnapshot" } as never);

/** What Graph does, step by step: a choice per answer, read against a model of the tenant. */
interface World {
    canList: boolean;
    /** The first send's answer was lost after Graph imported (true) or before (false). */
    firstLanded: boolean;
    /** Per step: which answer Graph gives, among those possible in the model's state. */
    choices: number[];
    /** Per step: a list pass skips a live record (offset paging). */
    skips: boolean[];
}

const worlds = fc.record({
    canList: fc.boolean(),
    firstLanded: fc.boolean(),
    choices: fc.array(fc.nat(99), { minLength: 60, maxLength: 60 }),
    skips: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
});

interface Run {
    trace: Array<{ from: RecoveryState; event: RecoveryEvent }>;
    end: RecoveryState;
    /** Graph holds an import for the user at the end. */
    imported: boolean;
    /** Imports Graph made (one per user: never more than one). */
    made: number;
    /** A list pass ever skipped the live record. */
    lied: boolean;
}

function run(w: World): Run {
    let s = recoveryStart();
    let imported = w.firstLanded;
    let made = imported ? 1 : 0;
    let lied = false;
    const trace: Run["trace"] = [];
    for (let step = 0; !isSettled(s); step++) {
        assert.ok(step < 60, `no end after 60 steps: ${JSON.stringify(trace.map((t) => t.event.kind))}`);
        const pick = w.choices[step]!;
        let event: RecoveryEvent;
        if (s.phase === "look") {
            if (!w.canList) event = { kind: "cannot-list" };
            else if (pick < 20) event = { kind: "look-failed", error: pick < 15 ? transient() : permanent() };
            else if (imported && !w.skips[step])
                event = { kind: "found", record: { snapshotId: "s1", importStatus: "pending" } };
            else {
                lied ||= imported;
                event = { kind: "missed" };
            }
        } else {
            // A send: one import per user, so a live import means a refusal; otherwise Graph may act.
            if (imported)
                event =
                    pick < 30 ? { kind: "unknown", error: lost() } : { kind: "already-imported", error: conflict() };
            else if (pick < 30) event = { kind: "accepted", record: { snapshotId: "s2", importStatus: "pending" } };
            else if (pick < 70) {
                // The answer is lost; Graph acted or not.
                if (pick < 50) {
                    imported = true;
                    made++;
                }
                event = { kind: "unknown", error: lost() };
            } else event = { kind: "refused", error: refusal() };
            if (event.kind === "accepted") {
                imported = true;
                made++;
            }
        }
        trace.push({ from: s, event });
        s = recover(s, event, env);
    }
    return { trace, end: s, imported, made, lied };
}

/** Failures that tell the user nothing was imported (the others say Graph may hold one and how to adopt it). */
const CLAIMS_ABSENCE = new Set(["nothing-imported", "refused"]);

describe("reconcile: a create whose importSnapshot had an unknown outcome (property)", () => {
    it("never takes an unknown outcome as absence, and never leaves an import unnamed", () => {
        fc.assert(
            fc.property(worlds, (w) => {
                const r = run(w);
                assert.ok(r.made <= 1, "Graph never holds two imports for the user");
                const sends = r.trace.filter((t) => t.from.phase === "send").length;
                assert.ok(sends + 1 <= MAX_IMPORT_SENDS, `${sends + 1} sends`);
                r.trace.forEach((t, i) => {
                    // A send follows only a look that showed no import (or where there is no list to look in).
                    if (t.from.phase === "send") {
                        const before = r.trace[i - 1]!.event.kind;
                        assert.ok(before === "missed" || before === "cannot-list", `a send after ${before}`);
                    }
                    // An import found is always adopted.
                    if (t.event.kind === "found")
                        assert.equal(r.trace[i + 1], undefined, "found, yet the machine went on");
                });
                if (r.end.phase === "adopt" || r.end.phase === "imported") {
                    assert.ok(r.imported, "adopted or imported what Graph holds");
                    return;
                }
                assert.equal(r.end.phase, "failed");
                const failure = r.end.phase === "failed" ? r.end.failure : undefined!;
                if (CLAIMS_ABSENCE.has(failure.kind)) {
                    // "Nothing was imported" rests on MISSES_FOR_ABSENT list passes without the import since the last send
                    // (a failed look is no answer: it neither counts nor breaks the run)...
                    const lastSend = r.trace.map((t) => t.from.phase).lastIndexOf("send");
                    const answers = r.trace
                        .slice(lastSend + 1)
                        .map((t) => t.event.kind)
                        .filter((k) => k !== "look-failed");
                    assert.ok(
                        answers.length >= MISSES_FOR_ABSENT && answers.every((k) => k === "missed"),
                        `${failure.kind} after ${answers.join(", ")}`,
                    );
                    // ...so it is wrong only where every one of those passes skipped the live record.
                    if (r.imported) assert.ok(r.lied, "claimed absence while a list pass showed the import");
                }
            }),
            { numRuns: 2_000 },
        );
    });

    it("where Graph lists imports truthfully, a failure never claims absence while Graph holds the import", () => {
        fc.assert(
            fc.property(worlds, (w) => {
                const r = run({ ...w, canList: true, skips: w.skips.map(() => false) });
                if (r.end.phase === "failed" && r.imported) {
                    assert.ok(!CLAIMS_ABSENCE.has(r.end.failure.kind), `${r.end.failure.kind} with an import in Graph`);
                }
            }),
            { numRuns: 1_000 },
        );
    });

    it("gives up looking after LOOKUP_ATTEMPTS transient failures in a row, at once on a permanent one", () => {
        let s = recoveryStart();
        for (let i = 1; i < LOOKUP_ATTEMPTS; i++) {
            s = recover(s, { kind: "look-failed", error: transient() }, env);
            assert.equal(s.phase, "look");
            assert.equal(s.phase === "look" && s.delayMs, Math.min(1_000, 100 * 2 ** (i - 1)), "backs off");
        }
        s = recover(s, { kind: "look-failed", error: transient() }, env);
        assert.deepEqual(
            s.phase === "failed" && { kind: s.failure.kind, n: (s.failure as { attempts: number }).attempts },
            { kind: "look-failed", n: LOOKUP_ATTEMPTS },
        );
        const once = recover(recoveryStart(), { kind: "look-failed", error: permanent() }, env);
        assert.equal(once.phase === "failed" && once.failure.kind, "look-failed");
    });
});

describe("reconcile: isTransient", () => {
    it("is true for answers that say nothing of the import, false for Graph's refusals", () => {
        for (const status of [401, 408, 429, 500, 502, 503, 504]) {
            assert.ok(
                isTransient(new GraphError({ status, code: "x", graphMessage: "x", operation: "x" } as never)),
                String(status),
            );
        }
        assert.ok(isTransient(lost()));
        for (const status of [400, 403, 404, 409]) {
            assert.ok(
                !isTransient(new GraphError({ status, code: "x", graphMessage: "x", operation: "x" } as never)),
                String(status),
            );
        }
        assert.ok(!isTransient(new Error("plain")));
    });
});

const lookups = fc.oneof(
    fc.record({
        kind: fc.constant("lookup" as const),
        fromList: fc.boolean(),
        lookup: fc.oneof(
            fc.record({
                kind: fc.constant("found" as const),
                record: fc.record({
                    snapshotId: fc.constant("s1"),
                    importStatus: fc.constantFrom("pending", "inProgress", "succeeded", "failed", "somethingNew"),
                }),
            }),
            fc.constant({ kind: "gone" as const }),
            fc.constant({ kind: "unknown" as const, why: "proves nothing" }),
        ),
    }),
    fc.boolean().map((t): WatchEvent => ({ kind: "failed", error: t ? transient() : permanent() })),
);

describe("reconcile: waiting for an import (property)", () => {
    it("ends as gone only on proof, confirms by id after MISSES_FOR_GONE list misses, and reports each status once", () => {
        fc.assert(
            fc.property(fc.array(lookups, { minLength: 1, maxLength: 30 }), fc.nat(40), (events, deadlineStep) => {
                let s: WatchState = { misses: 0 };
                let listMisses = 0;
                let lastReported: string | undefined;
                for (let i = 0; i < events.length; i++) {
                    const e = events[i] as WatchEvent;
                    const step = watch(s, e, { now: i * 100, pollIntervalMs: 100, deadline: deadlineStep * 100 });
                    const a: WatchAction = step.action;
                    const lookup = e.kind === "lookup" ? e.lookup : undefined;
                    if (a.kind === "gone") assert.equal(lookup?.kind, "gone", "gone without proof");
                    if (lookup?.kind === "gone") assert.equal(a.kind, "gone");
                    if (a.kind === "resolve")
                        assert.ok(
                            lookup?.kind === "found" && ["succeeded", "failed"].includes(lookup.record.importStatus!),
                        );
                    if (a.kind === "reject")
                        assert.ok(
                            e.kind === "failed" && !isTransient(e.error),
                            "rejected on an answer worth asking again",
                        );
                    if (a.kind === "timeout")
                        assert.ok(i * 100 + 100 > deadlineStep * 100, "timed out before the deadline");
                    listMisses =
                        e.kind === "lookup" && e.fromList && lookup?.kind === "unknown"
                            ? listMisses + 1
                            : lookup?.kind === "found" || (e.kind === "lookup" && !e.fromList)
                              ? 0
                              : listMisses;
                    if (a.kind === "confirm") {
                        assert.equal(listMisses, MISSES_FOR_GONE);
                        listMisses = 0;
                    }
                    if (step.report) {
                        assert.notEqual(
                            step.report.importStatus ?? undefined,
                            lastReported,
                            "a status reported twice in a row",
                        );
                        lastReported = step.report.importStatus ?? undefined;
                    }
                    s = step.state;
                    if (a.kind !== "wait") break;
                }
            }),
            { numRuns: 2_000 },
        );
    });
});
