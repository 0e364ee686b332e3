// Fleet-scale coalescing: one list pass per window, one poller for every waiting resource, batched purges with a
// per-id fallback, and the process-wide throttle.
import { strict as assert } from "node:assert";
import { startEmulator, type Emulator } from "../../emulator";
import { GraphError } from "../../provider/graph/errors";
import { Throttle } from "../../provider/graph/throttle";
import { closeGraphClients, graphClientFor, snapshotsApiFor } from "../harness/graph-clients";
import { resolveSettings } from "../../provider/config/settings";
import { createSnapshotsApi } from "../../provider/snapshots/api";
import { CoalescedImports } from "../../provider/snapshots/coalescing/coalesced";
import { LookupBatcher } from "../../provider/snapshots/coalescing/lookup-batcher";
import { Pacer } from "../../provider/snapshots/coalescing/pacer";
import { PurgeBatcher } from "../../provider/snapshots/coalescing/purge-batcher";
import { SingleFlight } from "../../provider/snapshots/coalescing/single-flight";
import { importSnapshot } from "../../provider/snapshots/imports";
import { toRequest } from "../../provider/resources/imported-snapshot/lifecycle";
import { checkImportedSnapshot, asInputs } from "../../provider/resources/imported-snapshot/check";
import { inputs } from "../fixtures";
import { FakeClock, settle } from "../harness/fake-clock";
import { systemClock, type Clock } from "../../provider/util/clock";
import type { GraphClient } from "../../provider/graph/client";
import { WaitTimeoutError, type ImportRecord } from "../../provider/snapshots/coalescing/imports-gateway";

function userId(i: number): string {
    return `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

/** Imports for users 1..n, straight through Graph (not through a gateway under test); their snapshotIds. */
async function importForUsers(emulator: Emulator, n: number): Promise<string[]> {
    const client = graphClientFor(resolveSettings(undefined, emulator.env()));
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
        const req = toRequest(asInputs(checkImportedSnapshot(inputs({ assignedUserId: userId(i + 1) })).inputs));
        ids.push((await importSnapshot(client, req)).snapshotId!);
    }
    return ids;
}

describe("coalescing: single-flight reads", () => {
    it("serves concurrent callers with one fetch", async () => {
        let calls = 0;
        const sf = new SingleFlight(async () => ++calls, 10);
        const results = await Promise.all(Array.from({ length: 50 }, () => sf.get()));
        assert.equal(calls, 1);
        assert.ok(results.every((r) => r === 1));
    });

    it("a caller arriving while a fetch is in flight gets the next fetch, shared with others arriving then", async () => {
        const clock = new FakeClock({ manual: true });
        let calls = 0;
        let release!: () => void;
        const sf = new SingleFlight(
            async () => {
                const n = ++calls;
                if (n === 1) await new Promise<void>((r) => (release = r));
                return n;
            },
            5,
            clock,
        );
        const first = sf.get();
        await clock.advance(5); // the window closed: the first fetch is now in flight
        assert.equal(calls, 1);
        const late = [sf.get(), sf.get(), sf.get()];
        release();
        assert.equal(await first, 1);
        await clock.advance(5);
        assert.deepEqual(
            await Promise.all(late),
            [2, 2, 2],
            "late callers never see the fetch that started before them",
        );
        assert.equal(calls, 2);
    });

    it("a read (getRecent) arriving while a fetch is in flight joins it, unless its own last write came after that fetch began", async () => {
        const clock = new FakeClock({ manual: true });
        let calls = 0;
        let release!: () => void;
        const sf = new SingleFlight(
            async () => {
                const n = ++calls;
                if (n === 1) await new Promise<void>((r) => (release = r));
                return n;
            },
            5,
            clock,
        );
        const first = sf.get();
        await clock.advance(5); // the first fetch is now in flight
        await clock.advance(1);
        const joined = sf.getRecent(0, 10_000); // no write of its own since: the fetch in flight will do
        const afterWrite = sf.getRecent(clock.now(), 10_000); // wrote just now: needs a fetch that starts later
        release();
        assert.equal(await first, 1);
        await clock.advance(5);
        assert.equal(await joined, 1, "joined the fetch in flight");
        assert.equal(await afterWrite, 2, "never an answer that predates its own write");
        assert.equal(calls, 2);
        assert.equal(await sf.getRecent(0, 10_000), 2, "a recent completed fetch is reused");
        assert.equal(calls, 2);
        await clock.advance(10_001);
        const stale = sf.getRecent(0, 10_000);
        await clock.advance(5);
        assert.equal(await stale, 3, "an answer older than maxAgeMs is not reused");
    });
});

describe("coalescing: paced resumption", () => {
    it("resumes waiters in order, at most perTurn per turn of the event loop", async () => {
        const pacer = new Pacer(3);
        const order: number[] = [];
        const turns: number[][] = [];
        let turn = 0;
        const ticker = setInterval(() => undefined, 1); // keep the loop alive while counting turns
        const count = () =>
            setImmediate(() => {
                turn++;
                if (turn < 20) count();
            });
        count();
        await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
                pacer.turn().then(() => {
                    order.push(i);
                    (turns[turn] ??= []).push(i);
                }),
            ),
        );
        clearInterval(ticker);
        assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
        const slices = turns.filter(Boolean);
        assert.ok(
            slices.every((s) => s.length <= 3),
            JSON.stringify(turns),
        );
        assert.equal(slices.length, 3, JSON.stringify(turns));
    });
});

describe("coalescing: batched purges", () => {
    it("sends one request per batch and falls back per id when a batch fails", async () => {
        const sent: string[][] = [];
        const purged = new Set<string>();
        const batcher = new PurgeBatcher(
            async (ids) => {
                sent.push(ids);
                if (ids.includes("bad") || ids.includes("gone")) {
                    throw new GraphError({
                        status: ids.length === 1 && ids[0] === "gone" ? 404 : 409,
                        code: "Conflict",
                        graphMessage: "x",
                        operation: "purgeImportedSnapshot",
                    } as any);
                }
                ids.forEach((id) => purged.add(id));
            },
            { quietMs: 10, batchSize: 3 },
        );
        const results = await Promise.allSettled(["a", "b", "bad", "c", "gone"].map((id) => batcher.purge(id)));
        assert.deepEqual(
            results.map((r) => r.status),
            ["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"],
        );
        assert.deepEqual([...purged].sort(), ["a", "b", "c"], "nothing is reported purged unless it was");
        assert.equal(sent[0].length, 3, "batches are bounded");
        assert.ok(
            sent.some((ids) => ids.length === 1 && ids[0] === "bad"),
            "the bad id was tried alone",
        );
    });

    it("a few purges go out after the short quiet window; a filling batch rides out a pause mid-stream", async () => {
        const clock = new FakeClock({ manual: true });
        const sent: Array<{ ids: string[]; at: number }> = [];
        const batcher = new PurgeBatcher(
            async (ids) => {
                sent.push({ ids, at: clock.now() });
            },
            { quietMs: 20, streamAfter: 5, streamQuietMs: 200, batchSize: 100, clock },
        );

        // As at the CLI's default --parallel: a handful, then nothing until they are done.
        const asked = clock.now();
        const few = Promise.all(["a", "b", "c"].map((id) => batcher.purge(id)));
        await clock.advance(19);
        assert.equal(sent.length, 0, "still inside the quiet window");
        await clock.advance(1);
        await few;
        assert.deepEqual(
            sent.map((b) => b.ids.length),
            [3],
        );
        assert.equal(sent[0].at - asked, 20, "sent when the quiet window closed");

        // A fleet's destroy: 8 purges, a pause longer than quietMs (shorter than streamQuietMs), 8 more: one batch.
        const done: Promise<void>[] = [];
        for (let i = 0; i < 8; i++) done.push(batcher.purge(`s${i}`));
        await clock.advance(60);
        for (let i = 8; i < 16; i++) done.push(batcher.purge(`s${i}`));
        await clock.advance(199);
        assert.equal(sent.length, 1, "the batch waits out the stream's quiet window");
        await clock.advance(1);
        await Promise.all(done);
        assert.deepEqual(
            sent.slice(1).map((b) => b.ids.length),
            [16],
            "the pause split the stream",
        );
        assert.equal(clock.pending, 0, "no timer left behind");
    });

    it("tells an observer of each batch and each single-id fallback", async () => {
        const clock = new FakeClock({ manual: true });
        const seen: string[] = [];
        const batcher = new PurgeBatcher(
            async (ids) => {
                if (ids.length > 1 && ids.includes("bad"))
                    throw new GraphError({
                        status: 409,
                        code: "Conflict",
                        graphMessage: "x",
                        operation: "purge",
                    } as any);
            },
            {
                quietMs: 10,
                clock,
                observer: {
                    batch: (ids) => seen.push(`batch ${ids.join(",")}`),
                    fallback: (id) => seen.push(`alone ${id}`),
                },
            },
        );
        const done = Promise.allSettled(["a", "bad"].map((id) => batcher.purge(id)));
        await clock.advance(10);
        await done;
        assert.deepEqual(seen, ["batch a,bad", "alone a", "alone bad"]);
    });
});

describe("coalescing: against the emulator where Graph lists imports (seed dialect)", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let imports: CoalescedImports;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300, pageSize: 10, dialect: "seed" });
        const api = snapshotsApiFor(resolveSettings(undefined, emulator.env()));
        imports = new CoalescedImports(api, { pollIntervalMs: 100, purgeBatchSize: 20 });
    });
    after(async () => {
        await closeGraphClients();
        await emulator?.close();
    });

    const importFor = (n: number): Promise<string[]> => importForUsers(emulator, n);

    it("one poller waits for 40 imports with list requests that do not grow with N", async () => {
        emulator.imports.clear();
        const ids = await importFor(40);
        // Counts the poller's turns (its sleeps of one interval) on the real clock.
        let turns = 0;
        const clock: Clock = {
            ...systemClock,
            sleep: (ms, signal) => {
                if (ms === 100) turns++;
                return systemClock.sleep(ms, signal);
            },
        };
        let passes = 0;
        const polling = new CoalescedImports(snapshotsApiFor(resolveSettings(undefined, emulator.env())), {
            pollIntervalMs: 100,
            clock,
            observer: { listPass: (why) => void (why === "poll" && passes++) },
        });
        emulator.resetStats();
        const done = await Promise.all(
            ids.map((id) => polling.wait(id, { deadline: Date.now() + 30_000, onStatus: () => {} })),
        );
        assert.ok(done.every((r) => r?.importStatus === "succeeded"));
        const lists = emulator.stats().byRoute["GET listSnapshotImportResults"] ?? 0;
        assert.ok(turns >= 1 && passes === turns, `${passes} list passes in ${turns} turns of the poller`);
        assert.equal(lists, passes * Math.ceil(40 / 10), "each pass reads every page once, for all 40 waiters");
        assert.equal(emulator.stats().byRoute["GET retrieveSnapshotImportResult"] ?? 0, 0, "no per-resource reads");
    });

    it("reads arriving together share one list pass (all pages)", async () => {
        // A new provider process (a new `pulumi refresh`) has no earlier pass to reuse.
        const fresh = new CoalescedImports(snapshotsApiFor(resolveSettings(undefined, emulator.env())), {
            pollIntervalMs: 100,
        });
        emulator.resetStats();
        const ids = emulator.imports.list().map((r) => r.snapshotId!);
        const first = ids.slice(0, 5).map((id) => fresh.get(id));
        await new Promise((r) => setTimeout(r, 30)); // the pass is in flight: later reads join it
        const got = await Promise.all([...first, ...ids.slice(5).map((id) => fresh.get(id))]);
        assert.ok(got.every((r) => r.kind === "found"));
        assert.equal(emulator.stats().byRoute["GET listSnapshotImportResults"], Math.ceil(ids.length / 10));
    });

    it("a read arriving while a list pass is in flight (a slow page) joins that pass instead of starting another", async () => {
        let passes = 0;
        const fresh = new CoalescedImports(snapshotsApiFor(resolveSettings(undefined, emulator.env())), {
            pollIntervalMs: 100,
            observer: { listPass: () => void passes++ },
        });
        const ids = emulator.imports.list().map((r) => r.snapshotId!);
        assert.ok(ids.length >= 2);
        emulator.resetStats();
        emulator.faults.add({ route: "GET listSnapshotImportResults", delayMs: 400 });
        const early = fresh.get(ids[0]);
        // Wait until Graph has the (slow) first page request: the pass is in flight.
        for (let i = 0; i < 100 && !(emulator.stats().byRoute["GET listSnapshotImportResults"] > 0); i++)
            await new Promise((r) => setTimeout(r, 10));
        assert.equal(emulator.stats().byRoute["GET listSnapshotImportResults"], 1, "the pass has started");
        const late = fresh.get(ids[1]);
        const [a, b] = await Promise.all([early, late]);
        assert.equal(a.kind === "found" && a.record.snapshotId, ids[0]);
        assert.equal(b.kind === "found" && b.record.snapshotId, ids[1]);
        assert.equal(
            emulator.stats().byRoute["GET listSnapshotImportResults"],
            Math.ceil(ids.length / 10),
            "one pass for both reads",
        );
        assert.equal(passes, 1);
    });

    it("a read right after this process purged a record never reuses a list pass from before the purge", async () => {
        const [id] = await importFor(1).catch(() => [emulator.imports.list()[0].snapshotId!]);
        assert.equal((await imports.get(id)).kind, "found", "visible before");
        await imports.purge(id);
        assert.equal((await imports.get(id)).kind, "gone", "gone right after");
    });

    it("a 429 during a shared poll is waited out for everyone, and no waiter fails", async () => {
        emulator.imports.clear();
        const ids = await importFor(10);
        emulator.faults.add({ route: "GET listSnapshotImportResults", status: 429, retryAfter: "0.3" });
        const done = await Promise.all(
            ids.map((id) => imports.wait(id, { deadline: Date.now() + 30_000, onStatus: () => {} })),
        );
        assert.ok(done.every((r) => r?.importStatus === "succeeded"));
        assert.ok(emulator.stats().status429 >= 1);
    });

    it("an import that list passes keep skipping is confirmed by id, never reported gone while it exists", async () => {
        emulator.imports.clear();
        const [id] = await importFor(1);
        // Every list pass for a while leaves it out (offset paging skipping it while other records are purged).
        emulator.faults.add({ route: "GET listSnapshotImportResults", skipSnapshotId: id!, times: 6 });
        emulator.resetStats();
        const statuses: string[] = [];
        const record = await imports.wait(id!, {
            deadline: Date.now() + 30_000,
            onStatus: (r) => statuses.push(String(r.importStatus)),
        });
        assert.equal(record?.importStatus, "succeeded", `the wait ended with ${JSON.stringify(record)}`);
        assert.ok((emulator.stats().byRoute["GET retrieveSnapshotImportResults"] ?? 0) >= 1, "confirmed by id");

        // Really gone: the wait ends with undefined (after the same confirmation).
        emulator.imports.clear();
        const [other] = await importFor(1);
        emulator.imports.remove(other!);
        assert.equal(await imports.wait(other!, { deadline: Date.now() + 30_000, onStatus: () => {} }), undefined);
    });

    it("purges the fleet in ceil(N / batch size) requests", async () => {
        emulator.imports.clear();
        const ids = await importFor(45);
        emulator.resetStats();
        await Promise.all(ids.map((id) => imports.purge(id)));
        assert.equal(emulator.imports.list().length, 0);
        assert.equal(emulator.stats().byRoute["POST purgeImportedSnapshot"], Math.ceil(ids.length / 20));
    });
});

describe("coalescing: against the emulator where Graph only reads by id (metadata dialect)", function () {
    this.timeout(60_000);
    let emulator: Emulator;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300, pageSize: 10, dialect: "metadata" });
    });
    after(async () => {
        await closeGraphClients();
        await emulator?.close();
    });
    beforeEach(() => {
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.setOptions({ unknownIdAnswer: "empty", rateLimit: undefined });
    });

    /** A new provider process: nothing learned of Graph's functions yet. */
    async function fresh(lookup = {}, clock?: Clock): Promise<CoalescedImports> {
        await closeGraphClients();
        const api = snapshotsApiFor(resolveSettings(undefined, emulator.env()));
        return new CoalescedImports(api, { pollIntervalMs: 100, lookup, clock });
    }

    const importFor = (n: number): Promise<string[]> => importForUsers(emulator, n);

    it("a refresh of N reads costs ceil(N / 20) $batch requests, each item a read of the plural function", async () => {
        const ids = await importFor(45);
        const imports = await fresh();
        emulator.resetStats();
        const got = await Promise.all(ids.map((id) => imports.get(id)));
        assert.ok(
            got.every((l) => l.kind === "found"),
            JSON.stringify(got.filter((l) => l.kind !== "found")),
        );
        const stats = emulator.stats().byRoute;
        assert.equal(stats["POST $batch"], Math.ceil(45 / 20));
        assert.equal(stats["GET retrieveSnapshotImportResults"], 45, "Graph counts (and throttles) every item");
        assert.equal(
            stats["GET listSnapshotImportResults"] ?? 0,
            1,
            "the list is tried once per process, then never again",
        );
    });

    it("one poller waits for 40 imports with ceil(40 / 20) $batch requests per pass", async () => {
        emulator.setOptions({ importDurationMs: 3_600_000 }); // all 40 stay running for every pass
        const ids = await importFor(40).finally(() => emulator.setOptions({ importDurationMs: 300 }));
        // A virtual clock: the deadline comes after ten poll intervals, however long Graph's answers take.
        const clock = new FakeClock();
        const imports = await fresh({}, clock);
        emulator.resetStats();
        const deadline = clock.now() + 1_000;
        const done = await Promise.allSettled(ids.map((id) => imports.wait(id, { deadline, onStatus: () => {} })));
        assert.ok(
            done.every((r) => r.status === "rejected" && /deadline/.test(String(r.reason))),
            "all waited to the deadline",
        );
        const stats = emulator.stats().byRoute;
        const passes = stats["GET retrieveSnapshotImportResults"]! / 40;
        assert.ok(Number.isInteger(passes) && passes >= 2, `${stats["GET retrieveSnapshotImportResults"]} item reads`);
        assert.equal(stats["POST $batch"], passes * 2, "two batches per pass");
    });

    it("per-item 429s with Retry-After are waited out, and only those items are sent again", async () => {
        const ids = await importFor(10);
        const imports = await fresh();
        emulator.resetStats();
        emulator.faults.add({ route: "GET retrieveSnapshotImportResults", status: 429, retryAfter: "0.2", times: 3 });
        const got = await Promise.all(ids.map((id) => imports.get(id)));
        assert.ok(got.every((l) => l.kind === "found"));
        const stats = emulator.stats();
        assert.equal(stats.byRoute["GET retrieveSnapshotImportResults"], 13, "10 items, 3 of them twice");
        assert.equal(stats.byRoute["POST $batch"], 2);
    });

    it("an empty answer from the plural proves an import gone; a 404 from it does not, unless notFoundMeansGone", async () => {
        const [id] = await importFor(1);
        emulator.imports.remove(id!);
        assert.equal((await (await fresh()).get(id!)).kind, "gone");
        emulator.setOptions({ unknownIdAnswer: "notFound" });
        const kept = await (await fresh()).get(id!);
        assert.equal(kept.kind, "unknown");
        assert.match(kept.kind === "unknown" ? kept.why : "", /request-id/);
        assert.equal(
            (await (await fresh({ notFoundMeansGone: true })).get(id!)).kind,
            "gone",
            "the plural's 404, accepted by the setting",
        );
        const [live] = await importFor(1);
        const proven = await fresh({ notFoundMeansGone: true });
        assert.equal((await proven.get(live!)).kind, "found", "a live import is still found");
        assert.equal((await proven.get(id!)).kind, "gone");
    });

    it("a wait never ends as gone on answers that prove nothing (the plural answering 404 for a live id)", async () => {
        const [id] = await importFor(1);
        const imports = await fresh();
        emulator.faults.add({
            route: "GET retrieveSnapshotImportResults",
            status: 404,
            code: "ResourceNotFound",
            times: 4,
        });
        const record = await imports.wait(id!, { deadline: Date.now() + 30_000, onStatus: () => {} });
        assert.equal(record?.importStatus, "succeeded");
    });
});

describe("coalescing: the shared poller on a fake clock", () => {
    /** A client whose list function answers `records` (as they are at the time of the call). */
    function listingClient(records: Map<string, ImportRecord>): { client: GraphClient; passes: () => number } {
        let passes = 0;
        const client = {
            listAll: async () => {
                passes++;
                return [...records.values()].map((r) => ({ ...r }));
            },
        } as unknown as GraphClient;
        return { client, passes: () => passes };
    }

    it("polls once per interval for every waiter, reports each status once, and times out at the deadline", async () => {
        const clock = new FakeClock({ manual: true });
        const records = new Map<string, ImportRecord>([
            ["a", { snapshotId: "a", importStatus: "pending" }],
            ["b", { snapshotId: "b", importStatus: "pending" }],
        ]);
        const { client, passes } = listingClient(records);
        const imports = new CoalescedImports(createSnapshotsApi(client), { pollIntervalMs: 1_000, clock });
        const seen: string[] = [];
        const onStatus = (r: ImportRecord) => seen.push(`${r.snapshotId}:${r.importStatus}`);
        const a = imports.wait("a", { deadline: clock.now() + 10_000, onStatus });
        const b = imports.wait("b", { deadline: clock.now() + 2_500, onStatus });
        const bDone = b.then(
            () => "resolved",
            (e: unknown) => e,
        );
        await clock.advance(999);
        assert.equal(passes(), 0, "no pass before the first interval");
        await clock.advance(1);
        assert.equal(passes(), 1, "one pass for both waiters");
        assert.deepEqual(seen, ["a:pending", "b:pending"]);
        await clock.advance(1_000);
        assert.equal(passes(), 2);
        assert.deepEqual(seen, ["a:pending", "b:pending"], "an unchanged status is not reported again");
        // b's deadline (2.5 s) falls before the next pass ends: it stops at this pass.
        const err = await bDone;
        assert.ok(err instanceof WaitTimeoutError && err.lastStatus === "pending", String(err));
        records.set("a", { snapshotId: "a", importStatus: "succeeded" });
        await clock.advance(1_000);
        assert.equal((await a)?.importStatus, "succeeded");
        assert.equal(passes(), 3);
        await clock.advance(5_000);
        assert.equal(passes(), 3, "the poller stops once nobody waits");
        assert.equal(clock.pending, 0);
    });
});

describe("coalescing: per-id reads gathered for $batch", () => {
    it("sends a batch as soon as it holds 20 ids, the rest together once reads stop coming; every read answered", async () => {
        const clock = new FakeClock({ manual: true });
        const sent: string[][] = [];
        const batcher = new LookupBatcher(
            async (ids) => {
                sent.push(ids);
                return new Map(ids.map((id) => [id, { kind: "found", record: { snapshotId: id } } as const]));
            },
            { quietMs: 5, maxWaitMs: 60_000, clock },
        );
        const ids = Array.from({ length: 25 }, (_, i) => `id-${i}`);
        const asked = [...ids.slice(0, 10), "id-3", ...ids.slice(10)]; // a second read of one id joins the first
        const pending = Promise.all(asked.map((id) => batcher.get(id)));
        await settle();
        assert.deepEqual(
            sent.map((b) => b.length),
            [20],
            "full at 20 distinct ids: sent at once",
        );
        await clock.advance(5);
        const got = await pending;
        assert.deepEqual(
            sent.map((b) => b.length),
            [20, 5],
            "the rest once reads stopped coming",
        );
        assert.ok(got.every((l, i) => l.kind === "found" && l.record.snapshotId === asked[i]));
    });

    it("a trickle of reads goes out once its first read waited maxWaitMs", async () => {
        const clock = new FakeClock({ manual: true });
        const sent: string[][] = [];
        const batcher = new LookupBatcher(
            async (ids) => {
                sent.push(ids);
                return new Map(ids.map((id) => [id, { kind: "gone" } as const]));
            },
            { quietMs: 50, maxWaitMs: 120, clock },
        );
        const got: Promise<unknown>[] = [];
        for (let i = 0; i < 4; i++) {
            got.push(batcher.get(`id-${i}`));
            await clock.advance(40); // never quiet for 50 ms
        }
        assert.deepEqual(sent, [["id-0", "id-1", "id-2"]], "sent at 120 ms, with the reads that had arrived");
        await clock.advance(50);
        await Promise.all(got);
        assert.deepEqual(
            sent.map((b) => b.length),
            [3, 1],
        );
    });
});

describe("throttle: adaptive in-flight limit", () => {
    it("halves on 429 and grows back after successes", () => {
        const t = new Throttle({ maxInFlight: 8 });
        t.throttled();
        assert.equal(t.limit, 4);
        t.throttled();
        t.throttled();
        t.throttled();
        assert.equal(t.limit, 1);
        for (let i = 0; i < 20; i++) t.succeeded();
        assert.equal(t.limit, 2);
    });
});
