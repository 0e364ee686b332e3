// The fault matrix: the provider's lifecycle (the handlers the engine calls, or the lifecycle functions with a
// client tuned for the case) against the Graph emulator misbehaving in every way it can: throttling storms, 5xx on
// every write and read (before and after the backend acted), dropped connections, answers slower than the
// per-request timeout, tokens that stop being valid mid-run, broken JSON, looping nextLinks; then transport
// security (https only, loopback http only on request, certificate errors). Each case asserts what Graph ends up
// holding (never two imports for a user), what the provider sent (emulator request log), and what the error says.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator, type FaultRule } from "../../emulator";
import { resolveSettings, SettingsError, tokenScope } from "../../provider/config/settings";
import { createCredential } from "../../provider/config/credential";
import { GraphClient, type GraphClientOptions } from "../../provider/graph/client";
import { GraphEndpoint } from "../../provider/graph/endpoint";
import { GraphAuthenticationError, GraphError, GraphTransportError } from "../../provider/graph/errors";
import { runtimeForEmulator } from "../harness/emulator-config";
import type { ProviderRuntime } from "../../provider/runtime/runtime";
import type { ResourceHandlers } from "../../provider/resources/shared/handlers";
import { RecordingProgress, type Progress } from "../../provider/runtime/progress";
import { defaultPendingImportsDir, PendingImportsJournal } from "../../provider/runtime/pending-imports";
import { createSnapshotsApi } from "../../provider/snapshots/api";
import { CoalescedImports } from "../../provider/snapshots/coalescing/coalesced";
import { asInputs, checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { importedSnapshotHandlers } from "../../provider/resources/imported-snapshot/handlers";
import {
    createImport,
    deleteImport,
    readImport,
    type LifecycleContext,
} from "../../provider/resources/imported-snapshot/lifecycle";
import { CreatedButFailedError } from "../../provider/resources/shared/created-but-failed";
import { RuntimeRegistry } from "../../provider/runtime/registry";
import { systemClock } from "../../provider/util/clock";
import { sourceIdentity } from "../../provider/resources/imported-snapshot/state";
import { blobFile, inputs, OTHER_USER, SAS_SIG, SAS_URL, USER } from "../fixtures";
import { RecordingClock } from "../harness/fake-clock";

const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const THIRD_USER = "0f6c2a1e-8d4b-4c3a-9e2f-7a6b5c4d3e2f";
const ALL_READ_FUNCTIONS = [
    "retrieveSnapshotImportResult",
    "retrieveSnapshotImportResults",
    "listSnapshotImportResults",
] as const;

/** One request as the emulator logged it (at completion): arrival is completion minus duration. */
interface Logged {
    arrivedAt: number;
    doneAt: number;
    method: string;
    path: string;
    status: string;
    key: string;
}

const LOG_LINE = /^(\S+) (\S+) (\S+) -> (\S+) \((.+?)\) (\d+)ms/;

function parseLogLine(line: string): Logged | undefined {
    const m = LOG_LINE.exec(line);
    if (!m) return undefined;
    const doneAt = Date.parse(m[1]!);
    return { arrivedAt: doneAt - Number(m[6]), doneAt, method: m[2]!, path: m[3]!, status: m[4]!, key: m[5]! };
}

/**
 * Progress lines with the time they were said on the client's clock: the client's debug line for each attempt
 * gives when it was sent.
 */
class TimedProgress extends RecordingProgress {
    readonly timed: Array<{ at: number; line: string }> = [];
    clock: { now(): number } = Date;
    override debug(m: string): void {
        super.debug(m);
        this.timed.push({ at: this.clock.now(), line: m });
    }
}

/** The client's own view: "<op>: <METHOD> <url> -> HTTP 429 in 3 ms [attempt 2, client-request-id ...]". */
const ATTEMPT_LINE = /^(\w+): (\S+) \S+ -> (?:HTTP (\d+)|no response [^\n]*?) in (\d+) ms \[attempt/;

/**
 * Seen from the client, on its (fake) clock: once an answer with Retry-After arrived, no request of the client (any
 * operation) was sent before it had passed. Returns how many such answers there were.
 */
function assertClientWaited(p: TimedProgress, retryAfterMs: number, statuses = ["429"]): number {
    const attempts = p.timed.flatMap(({ at, line }) => {
        const m = ATTEMPT_LINE.exec(line);
        return m
            ? [{ receivedAt: at, sentAt: at - Number(m[4]), status: m[3] ?? "none", what: `${m[2]} ${m[1]}` }]
            : [];
    });
    const throttled = attempts.filter((a) => statuses.includes(a.status));
    for (const t of throttled) {
        const early = attempts.filter((a) => a.sentAt > t.receivedAt && a.sentAt < t.receivedAt + retryAfterMs);
        assert.deepEqual(
            early.map((a) => `${a.what} sent at +${a.sentAt - t.receivedAt} ms`),
            [],
            `the client sent requests while a Retry-After of ${retryAfterMs} ms (received at ${new Date(t.receivedAt).toISOString()}) was pending`,
        );
    }
    return throttled.length;
}

/** What every Graph error must carry: HTTP status, code, request-id, client-request-id. */
function assertGraphErrorIds(message: string, status: number): void {
    assert.match(message, new RegExp(`HTTP ${status}\\b`), message);
    assert.match(message, /code: \w+/, message);
    assert.match(message, new RegExp(`request-id: ${GUID}`), message);
    assert.match(message, new RegExp(`client-request-id: ${GUID}`), message);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (err) {
        assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
        return err;
    }
    assert.fail("the operation succeeded");
}

describe("faults: the provider against a misbehaving Graph (emulator)", function () {
    this.timeout(30_000);
    let emulator: Emulator;
    const progress = new TimedProgress();
    let stateHome: string;
    const savedStateHome = process.env.XDG_STATE_HOME;
    const log: Logged[] = [];
    let secrets: string[] = [];

    const count = (key: string): number => emulator.stats().byRoute[key] ?? 0;
    const posts = (): number => count("POST importSnapshot");
    const statusCount = (status: string, key?: string): number =>
        log.filter((r) => r.status === status && (key === undefined || r.key === key)).length;
    const fault = (rule: FaultRule): void => emulator.faults.add(rule);

    let runtime: ProviderRuntime | undefined;
    let handlers: ResourceHandlers;
    /** A new runtime for `em`, its settings from stack config (as `configure` builds one), reporting to `to`. */
    async function use(em: Emulator, to: Progress = progress): Promise<void> {
        await runtime?.close();
        runtime = runtimeForEmulator(em, { progress: to });
        handlers = importedSnapshotHandlers(runtime);
    }

    before(async () => {
        // The journal of imports not yet in state (runtime/pending-imports.ts) goes to a directory of this run's own.
        stateHome = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-faults-state-"));
        process.env.XDG_STATE_HOME = stateHome;
        emulator = await startEmulator({
            importDurationMs: 300,
            log: (line) => {
                const parsed = parseLogLine(line);
                if (parsed) log.push(parsed);
            },
        });
        await use(emulator);
        secrets = [emulator.clientSecret, SAS_SIG, decodeURIComponent(SAS_SIG)];
    });
    after(async () => {
        await runtime?.close();
        await emulator?.close();
        if (savedStateHome === undefined) delete process.env.XDG_STATE_HOME;
        else process.env.XDG_STATE_HOME = savedStateHome;
        fs.rmSync(stateHome, { recursive: true, force: true });
    });
    beforeEach(async () => {
        // A fresh runtime (and so a fresh shared list pass and read-function memory) for every case.
        await use(emulator);
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.setOptions({
            importDurationMs: 300,
            pageSize: 100,
            tokenLifetimeSeconds: 3600,
            importResultFunctions: [...ALL_READ_FUNCTIONS],
        });
        emulator.resetStats();
        log.length = 0;
        progress.lines.length = 0;
        progress.timed.length = 0;
    });
    afterEach(function () {
        // Whatever happened, nothing the provider said carries a secret.
        const said = progress.lines.join("\n");
        for (const s of secrets) assert.ok(!said.includes(s), `a secret leaked into the provider's progress: ${s}`);
        assert.ok(!/eyJ[\w-]{4,}\.[\w-]{4,}\./.test(said), "a bearer token leaked into the provider's progress");
        if (this.currentTest?.state === "passed")
            assert.equal(emulator.faults.pending(), 0, "every injected fault was used");
    });

    /** The lifecycle with a client of its own (short timeouts, quick retries) and the process's defaults otherwise. */
    function tunedContext(o: Partial<GraphClientOptions> = {}): LifecycleContext & { close(): Promise<void> } {
        const settings = resolveSettings(undefined, emulator.env());
        const client = new GraphClient({
            graphEndpoint: settings.graphEndpoint,
            credential: createCredential(settings).credential,
            scope: tokenScope(settings),
            retryBaseMs: 20,
            retryMaxMs: 100,
            log: progress,
            ...o,
        });
        return {
            client,
            imports: new CoalescedImports(createSnapshotsApi(client), { pollIntervalMs: 50 }),
            progress,
            poll: { initialMs: 50, maxMs: 200 },
            graphEndpoint: settings.graphEndpoint,
            clock: systemClock,
            close: () => client.close(),
        };
    }

    function checked(raw: Record<string, unknown>) {
        const c = checkImportedSnapshot(raw);
        assert.deepEqual(c.failures, []);
        return asInputs(c.inputs);
    }

    /** Exactly one import for the user, the one the provider reports. */
    function assertOneImport(id: string | undefined, user = USER): void {
        const records = emulator.imports.byUser(user);
        assert.equal(records.length, 1, `the user has ${records.length} imports`);
        assert.equal(records[0]!.snapshotId, id);
    }

    // ---- 1. throttling storms ----------------------------------------------------------------------------------

    describe("429 storms with Retry-After", () => {
        const STORM = 12;
        const RETRY_AFTER = "0.1";
        // The emulator and the poll run in real time, so the client does too, on a clock that records what it was
        // asked to wait. The assertions are about those waits and the order of events on the client's clock (an
        // attempt after a Retry-After answer goes out once the pause it set is over): a slow machine only delays
        // the sends, so no bound on the wall clock is assumed.
        let clock: RecordingClock;
        let ctx: ReturnType<typeof tunedContext>;
        beforeEach(() => {
            clock = new RecordingClock();
            progress.clock = clock;
            ctx = tunedContext({ clock });
        });
        afterEach(async () => {
            progress.clock = Date;
            await ctx.close();
        });

        /** Every answer with a Retry-After of `ms` made the client wait exactly that before trying again. */
        function assertWaited(ms: number, answers: number): void {
            assert.ok(
                clock.sleeps.filter((s) => s === ms).length >= answers,
                `${answers} Retry-After waits of ${ms} ms expected, the clock was asked for ${clock.sleeps.join(", ")}`,
            );
        }

        it(`importSnapshot answered 429 ${STORM} times in a row: imported once, nothing sent while a Retry-After is pending`, async () => {
            fault({ route: "POST importSnapshot", status: 429, retryAfter: RETRY_AFTER, times: STORM });
            const { id, outs } = await createImport(ctx, checked(inputs()));
            assert.equal(outs.importStatus, "succeeded");
            assertOneImport(id);
            assert.equal(posts(), STORM + 1);
            assert.equal(statusCount("429", "POST importSnapshot"), STORM);
            assertWaited(100, STORM);
            assert.equal(assertClientWaited(progress, 100), STORM);
        });

        it(`the poll (listSnapshotImportResults) answered 429 ${STORM} times: the create waits it out`, async () => {
            fault({ route: "GET listSnapshotImportResults", status: 429, retryAfter: RETRY_AFTER, times: STORM });
            const { id, outs } = await createImport(ctx, checked(inputs()));
            assert.equal(outs.importStatus, "succeeded");
            assertOneImport(id);
            assert.equal(posts(), 1);
            assert.equal(statusCount("429"), STORM);
            assertWaited(100, STORM);
            assert.equal(assertClientWaited(progress, 100), STORM);
        });

        it(`purgeImportedSnapshot answered 429 ${STORM} times: destroy purges`, async () => {
            const { id } = await createImport(ctx, checked(inputs()));
            fault({ route: "POST purgeImportedSnapshot", status: 429, retryAfter: RETRY_AFTER, times: STORM });
            await deleteImport(ctx, id);
            assert.equal(emulator.imports.list().length, 0);
            assert.equal(count("POST purgeImportedSnapshot"), STORM + 1);
            assertWaited(100, STORM);
            assert.equal(assertClientWaited(progress, 100), STORM);
        });

        it("three creates at once under a storm: one Retry-After pauses all of them, each user imported once", async () => {
            fault({ route: "POST importSnapshot", status: 429, retryAfter: "0.3", times: 6 });
            fault({ route: "GET listSnapshotImportResults", status: 429, retryAfter: "0.3", times: 3 });
            const users = [USER, OTHER_USER, THIRD_USER];
            const created = await Promise.all(
                users.map((u) => createImport(ctx, checked(inputs({ assignedUserId: u })))),
            );
            users.forEach((u, i) => assertOneImport(created[i]!.id, u));
            assert.equal(statusCount("429"), 9);
            assert.equal(assertClientWaited(progress, 300), 9);
        });

        it("503 with Retry-After on the import and the poll is waited out the same way", async () => {
            fault({ route: "POST importSnapshot", status: 503, retryAfter: "0.2", times: 3 });
            fault({ route: "GET listSnapshotImportResults", status: 503, retryAfter: "0.2", times: 3 });
            const { id } = await createImport(ctx, checked(inputs()));
            assertOneImport(id);
            assert.equal(statusCount("503"), 6);
            assertWaited(200, 6);
            assert.equal(assertClientWaited(progress, 200, ["503"]), 6);
        });
    });

    // ---- 2. 5xx on every write and read -------------------------------------------------------------------------

    describe("500/502/503/504 on each write and read", () => {
        for (const status of [500, 502, 503, 504]) {
            it(`importSnapshot answered ${status} without acting: sent again, imported once`, async () => {
                fault({ route: "POST importSnapshot", status });
                const { id } = await handlers.create(inputs());
                assertOneImport(id);
                assert.equal(posts(), 2);
            });

            it(`importSnapshot answered ${status} after Graph acted: ${status === 503 ? "the 409 that follows" : "the import"} is adopted, never imported twice`, async () => {
                fault({ route: "POST importSnapshot", status, actFirst: true });
                const { id, outs } = await handlers.create(inputs());
                assert.equal(outs!.importStatus, "succeeded");
                assertOneImport(id);
                // 500/502/504 are ambiguous for a POST: reconciled by a look, not a re-send. 503 says "not done",
                // so the client re-sends; Graph answers 409 for the import it did make, which is then adopted.
                assert.equal(posts(), status === 503 ? 2 : 1);
            });

            it(`purgeImportedSnapshot answered ${status} (before and after acting): destroy completes`, async () => {
                const a = await handlers.create(inputs());
                const b = await handlers.create(inputs({ assignedUserId: OTHER_USER }));
                fault({ route: "POST purgeImportedSnapshot", status, times: 1 });
                await handlers.remove(a.id);
                fault({ route: "POST purgeImportedSnapshot", status, actFirst: true });
                await handlers.remove(b.id);
                assert.equal(emulator.imports.list().length, 0);
            });

            it(`listSnapshotImportResults answered ${status} while waiting and while reading: retried`, async () => {
                fault({ route: "GET listSnapshotImportResults", status });
                const { id } = await handlers.create(inputs());
                assertOneImport(id);
                fault({ route: "GET listSnapshotImportResults", status });
                const read = await handlers.read(id, {});
                assert.equal(read.id, id);
                assert.equal(read.props!.importStatus, "succeeded");
            });

            it(`retrieveSnapshotImportResult answered ${status} (Graph without list): read retried`, async () => {
                emulator.setOptions({ importResultFunctions: ["retrieveSnapshotImportResult"] });
                const { id } = await handlers.create(inputs());
                const before = count("GET retrieveSnapshotImportResult");
                fault({ route: "GET retrieveSnapshotImportResult", status });
                const read = await handlers.read(id, {});
                assert.equal(read.id, id);
                assert.equal(count("GET retrieveSnapshotImportResult") - before, 2);
            });
        }

        it("a read that keeps failing ends with Graph's status, code, request-id and client-request-id", async () => {
            const ctx = tunedContext({ maxRetries: 2 });
            try {
                const { id } = await createImport(ctx, checked(inputs()));
                fault({ route: "GET listSnapshotImportResults", status: 502, code: "BadGateway", times: 3 });
                const err = await rejection(readImport(ctx, id));
                assert.ok(err instanceof GraphError, err.message);
                assertGraphErrorIds(err.message, 502);
                assert.match(err.message, /^listSnapshotImportResults failed/);
                assert.match(err.message, /code: BadGateway/);
            } finally {
                await ctx.close();
            }
        });
    });

    // ---- 3. dropped connections -----------------------------------------------------------------------------------

    describe("dropped connections", () => {
        it("importSnapshot dropped before Graph acted: sent again, imported once", async () => {
            fault({ route: "POST importSnapshot", drop: "before" });
            const { id } = await handlers.create(inputs());
            assertOneImport(id);
            assert.equal(posts(), 2);
        });

        it("importSnapshot dropped after Graph acted: ambiguous, so adopted, never imported twice", async () => {
            fault({ route: "POST importSnapshot", drop: "after" });
            const { id } = await handlers.create(inputs());
            assertOneImport(id);
            assert.equal(posts(), 1);
            assert.ok(
                progress.lines.some((l) => /outcome is unknown/.test(l) && /client-request-id/.test(l)),
                progress.lines.join("\n"),
            );
            assert.ok(
                progress.lines.some((l) => new RegExp(`Found import ${id}.*adopting it`).test(l)),
                progress.lines.join("\n"),
            );
        });

        it("importSnapshot dropped after acting, and the look for it answered 503 and dropped: still adopted", async () => {
            fault({ route: "POST importSnapshot", drop: "after" });
            fault({ route: "GET listSnapshotImportResults", status: 503 });
            fault({ route: "GET listSnapshotImportResults", drop: "after" });
            const { id } = await handlers.create(inputs());
            assertOneImport(id);
            assert.equal(posts(), 1);
        });

        it("a SAS-URL import dropped after acting is adopted, and the SAS signature appears nowhere", async () => {
            fault({ route: "POST importSnapshot", drop: "after" });
            const { id, outs } = await handlers.create(inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }));
            assertOneImport(id);
            assert.ok(!JSON.stringify(outs).includes(SAS_SIG));
        });

        it("reads and purges dropped before or after: retried", async () => {
            fault({ route: "GET listSnapshotImportResults", drop: "before" });
            fault({ route: "GET listSnapshotImportResults", drop: "after" });
            const { id } = await handlers.create(inputs());
            assertOneImport(id);
            fault({ route: "POST purgeImportedSnapshot", drop: "after" });
            await handlers.remove(id);
            assert.equal(emulator.imports.list().length, 0);
            assert.equal(
                count("POST purgeImportedSnapshot"),
                2,
                "the retry found it gone (404), which counts as purged",
            );
        });
    });

    // ---- 4. answers slower than the per-request timeout -----------------------------------------------------------

    describe("answers slower than the per-request timeout", () => {
        const TIMEOUT = 300;
        let ctx: ReturnType<typeof tunedContext>;
        beforeEach(() => {
            ctx = tunedContext({ timeoutMs: TIMEOUT, maxRetries: 3 });
        });
        afterEach(() => ctx.close());

        it("importSnapshot acted on but answered too late: ambiguous, adopted, imported once", async () => {
            fault({ route: "POST importSnapshot", delayMs: TIMEOUT * 3 });
            const { id } = await createImport(ctx, checked(inputs()));
            assertOneImport(id);
            assert.equal(posts(), 1);
            assert.ok(
                progress.lines.some((l) =>
                    new RegExp(`no response from .* within ${TIMEOUT} ms after the request was sent`).test(l),
                ),
                progress.lines.join("\n"),
            );
        });

        it("importSnapshot refused (503) too late: it was not acted on, so it is sent again, imported once", async () => {
            fault({ route: "POST importSnapshot", status: 503, delayMs: TIMEOUT * 3 });
            const { id } = await createImport(ctx, checked(inputs()));
            assertOneImport(id);
            assert.equal(posts(), 2);
        });

        it("a slow poll is retried", async () => {
            fault({ route: "GET listSnapshotImportResults", delayMs: TIMEOUT * 3, times: 2 });
            const { id, outs } = await createImport(ctx, checked(inputs()));
            assert.equal(outs.importStatus, "succeeded");
            assertOneImport(id);
        });

        it("a read that is always too slow fails with a clear error, after a bounded number of tries", async () => {
            const { id } = await createImport(ctx, checked(inputs()));
            const before = count("GET listSnapshotImportResults");
            fault({ route: "GET listSnapshotImportResults", delayMs: TIMEOUT * 3, times: 4 });
            const err = await rejection(readImport(ctx, id));
            assert.ok(err instanceof GraphTransportError, err.message);
            assert.match(
                err.message,
                new RegExp(
                    `^listSnapshotImportResults failed: no response from 127\\.0\\.0\\.1:\\d+ within ${TIMEOUT} ms`,
                ),
            );
            assert.match(err.message, new RegExp(`code: ETIMEDOUT, client-request-id: ${GUID}`));
            assert.equal(count("GET listSnapshotImportResults") - before, 4, "1 try + maxRetries (3)");
        });

        it("the wait for an import that Graph no longer answers is recorded in state, not orphaned", async () => {
            fault({ route: "GET listSnapshotImportResults", delayMs: TIMEOUT * 3, times: 1000 });
            const err = await rejection(createImport(ctx, checked(inputs({ timeoutMinutes: 0.02 }))));
            assert.ok(err instanceof CreatedButFailedError, err.message);
            assertOneImport(err.id);
            emulator.faults.clear();
        });
    });

    // ---- 5. tokens that stop being valid mid-run ----------------------------------------------------------------

    describe("tokens", () => {
        it("revoked mid-create: one 401, one new token, then success", async () => {
            const revoking = new RecordingProgress();
            const original = revoking.info.bind(revoking);
            revoking.info = (m: string) => {
                original(m);
                if (/started \(/.test(m)) emulator.revokeTokens(); // the import is in; the wait runs on a dead token
            };
            await use(emulator, revoking);
            try {
                const { id } = await handlers.create(inputs());
                assertOneImport(id);
            } finally {
                await use(emulator);
            }
            assert.equal(statusCount("401"), 1, log.map((r) => `${r.key} ${r.status}`).join(", "));
            assert.equal(count("POST token"), 2, "the first token and exactly one fresh one");
        });

        it("revoked between operations: the read gets one 401 and one new token", async () => {
            const { id } = await handlers.create(inputs());
            emulator.resetStats();
            log.length = 0;
            emulator.revokeTokens();
            const read = await handlers.read(id, {});
            assert.equal(read.id, id);
            assert.equal(statusCount("401"), 1);
            assert.equal(count("POST token"), 1);
        });

        it("short-lived tokens are renewed before they expire: no 401 at all", async () => {
            // 3 s, not 1: `exp` is in whole seconds, so a token lives between 2 and 3 s; the client renews at half-life.
            emulator.setOptions({ tokenLifetimeSeconds: 3 });
            const { id } = await handlers.create(inputs());
            await new Promise((r) => setTimeout(r, 3200)); // past the first token's expiry
            const read = await handlers.read(id, {});
            assert.equal(read.id, id);
            assert.equal(statusCount("401"), 0, log.map((r) => `${r.key} ${r.status}`).join(", "));
            assert.ok(count("POST token") >= 2);
        });
    });

    // ---- 6. broken bodies ----------------------------------------------------------------------------------------

    describe("malformed and truncated JSON", () => {
        for (const body of ["malformed", "truncated"] as const) {
            it(`importSnapshot acted on, answered with a ${body} body: adopted, imported once`, async () => {
                fault({ route: "POST importSnapshot", body });
                const { id } = await handlers.create(inputs());
                assertOneImport(id);
                assert.equal(posts(), 1);
                assert.ok(
                    progress.lines.some((l) =>
                        /importSnapshot failed: HTTP 200 OK: the response body is not valid JSON/.test(l),
                    ),
                    progress.lines.join("\n"),
                );
            });

            it(`a ${body} page once is read again`, async () => {
                const { id } = await handlers.create(inputs());
                fault({ route: "GET listSnapshotImportResults", body });
                const read = await handlers.read(id, {});
                assert.equal(read.props!.importStatus, "succeeded");
            });

            it(`${body} pages every time: a clear error naming the function and the request-id, no crash`, async () => {
                const ctx = tunedContext({ maxRetries: 2 });
                try {
                    const { id } = await createImport(ctx, checked(inputs()));
                    fault({ route: "GET listSnapshotImportResults", body, times: 3 });
                    const err = await rejection(readImport(ctx, id));
                    assert.ok(err instanceof GraphError, err.message);
                    assert.match(
                        err.message,
                        /^listSnapshotImportResults failed: HTTP 200 OK: the response body is not valid JSON/,
                    );
                    assert.equal(err.code, "InvalidResponse");
                    assertGraphErrorIds(err.message, 200);
                } finally {
                    await ctx.close();
                }
            });
        }

        it("a purge answered with a malformed body is retried and counts as done", async () => {
            const { id } = await handlers.create(inputs());
            fault({ route: "POST purgeImportedSnapshot", body: "malformed" });
            await handlers.remove(id);
            assert.equal(emulator.imports.list().length, 0);
        });
    });

    // ---- 7. a looping nextLink ------------------------------------------------------------------------------------

    describe("@odata.nextLink that loops", () => {
        it("the read stops with PagingLoop after two pages instead of spinning", async () => {
            emulator.setOptions({ pageSize: 1 });
            const a = await handlers.create(inputs());
            await handlers.create(inputs({ assignedUserId: OTHER_USER }));
            await use(emulator); // no list pass to reuse
            emulator.resetStats();
            fault({ route: "GET listSnapshotImportResults", loopNextLink: true });
            const err = await rejection(handlers.read(a.id, {}));
            assert.match(
                err.message,
                /^listSnapshotImportResults failed: HTTP 200 OK: @odata.nextLink repeats after 2 pages/,
            );
            assert.match(err.message, /code: PagingLoop/);
            assert.match(err.message, new RegExp(`request-id: ${GUID}, client-request-id: ${GUID}`));
            assert.equal(count("GET listSnapshotImportResults"), 2);
        });

        it("a loop while waiting records the import in state (nothing orphaned) and says why", async () => {
            emulator.setOptions({ pageSize: 1 });
            await handlers.create(inputs({ assignedUserId: OTHER_USER }));
            fault({ route: "GET listSnapshotImportResults", loopNextLink: true, times: 50 });
            const err = await rejection(handlers.create(inputs()));
            assert.ok(err instanceof CreatedButFailedError, err.message);
            assertOneImport(err.id);
            assert.match(err.message, /PagingLoop/);
            assert.ok(
                count("GET listSnapshotImportResults") <= 10,
                `${count("GET listSnapshotImportResults")} list requests`,
            );
            emulator.faults.clear();
        });
    });

    // ---- runs interrupted after the import was sent ----------------------------------------------------------------

    describe("a create interrupted after importSnapshot was sent (the next run's create meets a 409)", () => {
        /** The journal as the provider process keeps it for this emulator (see runtime/runtime.ts). */
        const journal = () =>
            new PendingImportsJournal(defaultPendingImportsDir(), [emulator.graphEndpoint, emulator.tenantId]);
        const owner = (stack: string, name = "a") => ({
            organization: "organization",
            project: "fleet",
            stack,
            urn: `urn:pulumi:${stack}::fleet::pulumi-nodejs:dynamic:Resource::${name}`,
        });
        /** The inputs a resource of `stack` sends: the hidden input names its stack and URN. */
        const ofStack = (stack: string, name = "a", o: Record<string, unknown> = {}) =>
            inputs({ ...o, __cloudpc: { ...owner(stack, name), reserved: [] } });
        /** The note the provider keeps for these inputs. */
        const keyOf = (raw: Record<string, unknown>) => {
            const i = checked(raw);
            return { userId: i.assignedUserId, owner: i.owner, source: sourceIdentity(i) };
        };

        beforeEach(() => fs.rmSync(defaultPendingImportsDir(), { recursive: true, force: true }));

        /** The import a killed run made (its note, when there is one, is written by each test). */
        async function killedRun(fileName = "user1-os.vhd"): Promise<string> {
            const ctx = tunedContext();
            try {
                const { id } = await createImport(
                    ctx,
                    checked(inputs({ sourceFiles: [blobFile(fileName)], waitForCompletion: false })),
                );
                return id;
            } finally {
                await ctx.close();
            }
        }

        /** The note a run of `raw` killed after Graph answered leaves: with the snapshotId. */
        function leaveNote(raw: Record<string, unknown>, snapshotId?: string): void {
            journal().begin(keyOf(raw), "user1-os.vhd");
            if (snapshotId) journal().record(keyOf(raw), snapshotId);
        }

        it("with this machine's note: the import is taken over, not made twice; the note goes once an operation shows the id", async () => {
            const earlier = await killedRun();
            leaveNote(ofStack("ja"), earlier);
            emulator.resetStats();
            const { id, outs } = await handlers.create(ofStack("ja"));
            assert.equal(id, earlier);
            assert.equal(outs!.importStatus, "succeeded");
            assertOneImport(id);
            assert.equal(posts(), 1, "one importSnapshot, answered 409");
            assert.ok(
                progress.lines.some((l) =>
                    new RegExp(
                        `already has import ${id} of the same file .*a run that was stopped before Pulumi recorded it`,
                    ).test(l),
                ),
                progress.lines.join("\n"),
            );
            // create returning does not prove the engine recorded it: the note stays until the id shows up.
            assert.deepEqual(
                journal()
                    .forUser(USER)
                    .map((n) => n.snapshotId),
                [id],
            );
            await handlers.diff(id, outs!, ofStack("ja"));
            assert.deepEqual(journal().forUser(USER), [], "settled by the diff of the next run");
        });

        it("a caller that names no stack (not a resource class): a note never outlives its create", async () => {
            const earlier = await killedRun();
            leaveNote(inputs(), earlier);
            const { id } = await handlers.create(inputs());
            assert.equal(id, earlier, "an interrupted run's note is still honoured");
            assert.deepEqual(
                journal().forUser(USER),
                [],
                "but dropped once create returns: its resources cannot be told apart",
            );
        });

        it("a create that returned but whose result the engine never recorded (the CLI was gone): the rerun adopts it", async () => {
            const first = await handlers.create(ofStack("ja"));
            assert.deepEqual(
                journal()
                    .forUser(USER)
                    .map((n) => [n.snapshotId, n.owner?.stack]),
                [[first.id, "ja"]],
                "noted with its id",
            );
            const again = await handlers.create(ofStack("ja"));
            assert.equal(again.id, first.id);
            assertOneImport(first.id);
            await handlers.read(first.id, again.outs!);
            assert.deepEqual(journal().forUser(USER), [], "settled by a refresh");
        });

        it("the note records the snapshotId the moment Graph returns it, before the wait ends", async () => {
            emulator.setOptions({ importDurationMs: 1500 });
            const creating = handlers.create(inputs());
            const started = Date.now();
            while (emulator.imports.byUser(USER).length === 0 && Date.now() - started < 10_000)
                await new Promise((r) => setTimeout(r, 20));
            const graphId = emulator.imports.byUser(USER)[0]!.snapshotId;
            let noted: string | null | undefined;
            while (!noted && Date.now() - started < 10_000) {
                noted = journal().forUser(USER)[0]?.snapshotId;
                await new Promise((r) => setTimeout(r, 20));
            }
            assert.equal(noted, graphId);
            assert.notEqual(
                emulator.imports.byUser(USER)[0]!.importStatus,
                "succeeded",
                "still importing when the id was noted",
            );
            const { id } = await creating;
            assert.equal(id, graphId);
        });

        it("another stack's import is never adopted: the error names that stack, and only adoptSnapshotId takes it", async () => {
            const earlier = await killedRun();
            leaveNote(ofStack("ja"), earlier);
            const err = await rejection(handlers.create(ofStack("jb")));
            assert.match(err.message, new RegExp(`already has imported snapshot ${earlier}`));
            assert.match(
                err.message,
                /notes say stack ja of project fleet \(organization organization\) \(resource urn:pulumi:ja::fleet::[^)]*::a\) sent it/,
            );
            assert.match(err.message, new RegExp(`set adoptSnapshotId: "${earlier}"`));
            assertOneImport(earlier);
            assert.deepEqual(
                journal()
                    .forUser(USER)
                    .map((n) => n.owner?.stack),
                ["ja"],
                "jb's own note dropped: it imported nothing",
            );
            // ja's rerun still adopts its own import.
            const ja = await handlers.create(ofStack("ja"));
            assert.equal(ja.id, earlier);
            assertOneImport(earlier);
        });

        it("another resource of the same stack (a renamed resource): not adopted either", async () => {
            const earlier = await killedRun();
            leaveNote(ofStack("ja", "old-name"), earlier);
            const err = await rejection(handlers.create(ofStack("ja", "new-name")));
            assert.match(err.message, /another resource of this stack \(urn:pulumi:ja::fleet::[^)]*::old-name\)/);
            assertOneImport(earlier);
        });

        it("without a note (another machine): an error naming the import and the exact fix", async () => {
            const existing = await killedRun();
            const err = await rejection(handlers.create(inputs()));
            assert.match(err.message, new RegExp(`already has imported snapshot ${existing}`));
            assert.match(err.message, new RegExp(`set adoptSnapshotId: "${existing}"`));
            assert.match(err.message, /purgeImportedSnapshot/);
            assertGraphErrorIds(err.message, 409);
            assertOneImport(existing);
            // ...and the fix works.
            const adopted = await handlers.create(inputs({ adoptSnapshotId: existing }));
            assert.equal(adopted.id, existing);
        });

        it("a note for the user, but Graph holds an import of another file: not taken over", async () => {
            const other = await killedRun("someone-elses.vhd");
            leaveNote(inputs());
            const err = await rejection(handlers.create(inputs()));
            assert.match(err.message, new RegExp(`already has imported snapshot ${other}`));
            assertOneImport(other);
        });

        it("a create that gave up not knowing whether Graph acted keeps its note: the next run takes the import over", async () => {
            const ctx = { ...tunedContext({ maxRetries: 1 }), pendingImports: journal() };
            try {
                fault({ route: "POST importSnapshot", drop: "after" });
                fault({ route: "GET listSnapshotImportResults", status: 500, times: 10 });
                const err = await rejection(createImport(ctx, checked(ofStack("ja"))));
                assert.match(err.message, /outcome is unknown/);
                assert.equal(emulator.imports.byUser(USER).length, 1, "Graph did import");
                assert.deepEqual(
                    journal()
                        .forUser(USER)
                        .map((n) => n.snapshotId),
                    [null],
                    "the note stays, without an id",
                );
                const { id } = await createImport(ctx, checked(ofStack("ja")));
                assertOneImport(id);
                assert.equal(posts(), 2);
                assert.deepEqual(
                    journal()
                        .forUser(USER)
                        .map((n) => n.snapshotId),
                    [id],
                );
            } finally {
                await ctx.close();
            }
        });

        it("a create that imported nothing (Graph refused it) drops its note at once", async () => {
            fault({ route: "POST importSnapshot", status: 400, code: "BadRequest", times: 1 });
            await rejection(handlers.create(inputs()));
            assert.deepEqual(journal().forUser(USER), []);
        });

        it("notes hold no secret, and ones older than 30 days are swept", () => {
            const dir = fs.mkdtempSync(path.join(stateHome, "sweep-"));
            fs.mkdirSync(path.join(dir, "u"));
            const stale = path.join(dir, "u", "stale.json");
            fs.writeFileSync(stale, "{}");
            const old = (Date.now() - 31 * 24 * 3600_000) / 1000;
            fs.utimesSync(stale, old, old);
            const j = new PendingImportsJournal(dir, ["scope"]);
            const raw = inputs({ sourceFiles: [{ sasUrl: SAS_URL }] });
            j.begin(keyOf(raw), "user1-os.vhd");
            assert.ok(!fs.existsSync(stale), "swept");
            const [userDir] = fs.readdirSync(dir);
            const [file] = fs.readdirSync(path.join(dir, userDir!));
            const text = fs.readFileSync(path.join(dir, userDir!, file!), "utf8");
            assert.ok(!text.includes(SAS_SIG) && !text.includes("sig="), "no SAS token");
            assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), [
                "fileName",
                "owner",
                "pid",
                "sentAt",
                "snapshotId",
                "source",
                "userId",
            ]);
            assert.equal(j.forUser(USER.toUpperCase()).length, 1, "case-insensitive, as Graph is");
            j.record(keyOf(raw), "11111111-2222-3333-4444-555555555555");
            j.settle(USER, "11111111-2222-3333-4444-555555555555");
            assert.deepEqual(j.forUser(USER), []);
        });

        it("a journal that cannot be written costs only the recovery, never the create", async () => {
            const blocker = path.join(stateHome, "not-a-directory");
            fs.writeFileSync(blocker, "");
            const problems: string[] = [];
            const ctx = {
                ...tunedContext(),
                pendingImports: new PendingImportsJournal(path.join(blocker, "journal"), ["x"], (m) =>
                    problems.push(m),
                ),
            };
            try {
                const { id } = await createImport(ctx, checked(inputs()));
                assertOneImport(id);
                assert.ok(
                    problems.some((m) => /cannot write/.test(m)),
                    problems.join("\n"),
                );
            } finally {
                await ctx.close();
            }
        });
    });

    // ---- transport security -----------------------------------------------------------------------------------------

    describe("transport security", () => {
        const env = (e: Record<string, string>) => resolveSettings(undefined, e);

        it("Graph endpoint and authority must be https; http only for loopback hosts and only when allowed", () => {
            for (const key of ["CLOUDPC_GRAPH_ENDPOINT", "CLOUDPC_AUTHORITY_HOST"]) {
                assert.throws(
                    () => env({ [key]: "http://127.0.0.1:8443" }),
                    (e: Error) => e instanceof SettingsError && /allowInsecureLoopback/.test(e.message),
                );
                for (const host of [
                    "http://graph.microsoft.com",
                    "http://10.0.0.5:80",
                    "http://127.0.0.1.nip.io",
                    "http://localhost.evil.example",
                ]) {
                    assert.throws(
                        () => env({ [key]: host, CLOUDPC_ALLOW_INSECURE_LOOPBACK: "true" }),
                        /plain http/,
                        `${key}=${host}`,
                    );
                }
                for (const host of ["http://127.0.0.1:8443", "http://localhost:8443", "http://[::1]:8443"]) {
                    assert.doesNotThrow(
                        () => env({ [key]: host, CLOUDPC_ALLOW_INSECURE_LOOPBACK: "true" }),
                        `${key}=${host}`,
                    );
                }
                assert.throws(() => env({ [key]: "ftp://graph.microsoft.com" }), /only https/);
            }
            assert.throws(
                () =>
                    env({ CLOUDPC_GRAPH_ENDPOINT: "http://127.0.0.1:8443", CLOUDPC_ALLOW_INSECURE_LOOPBACK: "false" }),
                /allowInsecureLoopback/,
            );
        });

        it("configure refuses an http endpoint before anything is sent", () => {
            const registry = new RuntimeRegistry();
            assert.throws(
                () =>
                    registry.configure({
                        get: (k) => (k === "cloudpc:graphEndpoint" ? "http://graph.microsoft.com" : undefined),
                    }),
                /plain http/,
            );
            assert.throws(
                () =>
                    registry.configure({
                        get: (k) => (k === "cloudpc:authorityHost" ? "http://127.0.0.1:9" : undefined),
                    }),
                /allowInsecureLoopback/,
            );
        });

        it("a nextLink that downgrades to http (or leaves the origin) is refused: the token stays on https", () => {
            const endpoint = new GraphEndpoint(emulator.graphEndpoint);
            const httpLink =
                emulator.graphEndpoint.replace(/^https:/, "http:") +
                "/beta/deviceManagement/virtualEndpoint/snapshots/listSnapshotImportResults";
            assert.throws(() => endpoint.resolve(httpLink), /Refusing to send a Graph request \(and its token\)/);
            assert.throws(() => endpoint.resolve("https://attacker.example/beta/x"), /Refusing/);
        });

        describe("certificate errors", () => {
            let wrongName: Emulator;
            before(async () => {
                // The emulator's certificate names localhost, 127.0.0.1 and ::1: served on 127.0.0.2 it is trusted but for the wrong host.
                wrongName = await startEmulator({ host: "127.0.0.2" });
            });
            after(() => wrongName?.close());

            it("a certificate for another host name is an error, not retried, saying what is wrong", async () => {
                const client = new GraphClient({
                    graphEndpoint: wrongName.graphEndpoint,
                    scope: "s",
                    retryBaseMs: 10,
                    credential: {
                        getToken: async () => ({ token: "not-a-real-token", expiresOnTimestamp: Date.now() + 60_000 }),
                    },
                });
                try {
                    const err = await rejection(
                        client.request({
                            method: "GET",
                            path: "/deviceManagement/virtualEndpoint/snapshots/listSnapshotImportResults",
                            operation: "listSnapshotImportResults",
                        }),
                    );
                    assert.ok(err instanceof GraphTransportError, err.message);
                    assert.equal(err.code, "ERR_TLS_CERT_ALTNAME_INVALID");
                    assert.equal(err.ambiguous, false);
                    assert.match(err.message, /not valid for 127\.0\.0\.2/);
                    assert.equal(client.stats.requests, 1, "not retried");
                    assert.equal(wrongName.stats().total, 0, "nothing reached the server");
                } finally {
                    await client.close();
                }
            });

            it("through the provider, the token request fails the same way: the create says so, and nothing is imported", async () => {
                await use(wrongName);
                try {
                    const err = await rejection(handlers.create(inputs()));
                    assert.ok(err instanceof GraphAuthenticationError, err.message);
                    assert.match(err.message, /^importSnapshot failed: could not get an access token/);
                    assert.match(
                        err.message,
                        /TLS to the authority 127\.0\.0\.2:\d+ fails \(Hostname\/IP does not match certificate's altnames/,
                    );
                    assert.match(err.message, /not valid for 127\.0\.0\.2:\d+: use the host name it was issued for/);
                    assert.ok(!err.message.includes(wrongName.clientSecret));
                    assert.equal(wrongName.stats().total, 0, "nothing got through TLS");
                    assert.equal(wrongName.imports.list().length, 0);
                } finally {
                    await use(emulator);
                }
            });

            it("an untrusted CA (NODE_EXTRA_CA_CERTS not set): not retried, and the message says how to trust the emulator's CA", async function () {
                this.timeout(30_000);
                // Node reads NODE_EXTRA_CA_CERTS only at start-up: a child process without it.
                const script = [
                    `const { GraphClient } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/graph/client"))});`,
                    `const { runtimes } = require(${JSON.stringify(path.resolve(__dirname, "../../provider/runtime/registry"))});`,
                    `const handlers = require(${JSON.stringify(path.resolve(__dirname, "../../provider/resources/imported-snapshot/handlers"))});`,
                    `const out = {};`,
                    `const c = new GraphClient({ graphEndpoint: process.env.CLOUDPC_GRAPH_ENDPOINT, scope: "s",`,
                    `  credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60000 }) } });`,
                    `c.request({ method: "GET", path: "/deviceManagement/virtualEndpoint/snapshots/listSnapshotImportResults", operation: "listSnapshotImportResults" })`,
                    `  .then(() => { out.graph = "succeeded"; }, (e) => { out.graph = { name: e.name, code: e.code, message: e.message, requests: c.stats.requests }; })`,
                    `  .then(() => c.close())`,
                    `  .then(() => { runtimes.configure(undefined); return handlers.create(${JSON.stringify(inputs())}); })`,
                    `  .then(() => { out.create = "succeeded"; }, (e) => { out.create = { name: e.name, message: e.message }; })`,
                    `  .then(() => { const s = runtimes.active().graph.stats; out.createStats = { requests: s.requests, retries: s.retries }; })`,
                    `  .then(() => { console.log(JSON.stringify(out)); process.exit(0); });`,
                ].join("\n");
                const e = emulator.env();
                const childEnv: NodeJS.ProcessEnv = {
                    PATH: process.env.PATH,
                    HOME: process.env.HOME,
                    AZURE_TENANT_ID: e.AZURE_TENANT_ID,
                    AZURE_CLIENT_ID: e.AZURE_CLIENT_ID,
                    AZURE_CLIENT_SECRET: e.AZURE_CLIENT_SECRET,
                    CLOUDPC_GRAPH_ENDPOINT: e.CLOUDPC_GRAPH_ENDPOINT,
                    CLOUDPC_AUTHORITY_HOST: e.CLOUDPC_AUTHORITY_HOST,
                };
                const stdout = await new Promise<string>((resolve, reject) =>
                    execFile(
                        process.execPath,
                        ["-r", "ts-node/register/transpile-only", "-e", script],
                        { cwd: path.resolve(__dirname, "../.."), env: childEnv },
                        (err, so, se) => (err ? reject(new Error(`${err.message}\n${so}\n${se}`)) : resolve(so)),
                    ),
                );
                const out = JSON.parse(stdout.trim().split("\n").pop()!) as {
                    graph: { name: string; code: string; message: string; requests: number };
                    create: { name: string; message: string };
                    createStats: { requests: number; retries: number };
                };
                assert.equal(out.graph.name, "GraphTransportError");
                assert.match(out.graph.code, /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
                assert.equal(out.graph.requests, 1, "not retried");
                for (const message of [out.graph.message, out.create.message]) {
                    assert.match(message, /NODE_EXTRA_CA_CERTS/, message);
                    assert.match(message, /scripts\/certs\.sh/, message);
                    assert.ok(!message.includes(emulator.clientSecret));
                }
                // Counted, not timed: the create gave up at the first refusal instead of backing off and retrying.
                assert.deepEqual(out.createStats, { requests: 0, retries: 0 }, JSON.stringify(out.createStats));
                assert.equal(emulator.stats().total, 0, "no request got through TLS");
                assert.equal(emulator.imports.list().length, 0);
            });
        });
    });

    describe("blob sources keep working after all of the above", () => {
        it("a storage-blob import under a mixed storm of 429, 503, a drop and a broken page imports once", async () => {
            fault({ route: "POST importSnapshot", status: 429, retryAfter: "0.05", times: 3 });
            fault({ route: "POST importSnapshot", drop: "after" });
            fault({ route: "GET listSnapshotImportResults", status: 503, times: 2 });
            fault({ route: "GET listSnapshotImportResults", body: "truncated" });
            const { id, outs } = await handlers.create(inputs({ sourceFiles: [blobFile("mixed-storm.vhd")] }));
            assert.equal(outs!.importStatus, "succeeded");
            assertOneImport(id);
            assert.equal(posts(), 4);
        });
    });
});
