// Soak: thousands of operations on CloudPcImportedSnapshot through @pulumi/pulumi's real dynamic-provider gRPC server
// (the provider serialized into `__provider`, one provider process per round as the engine starts one per command,
// resources in parallel), against the Graph emulator with a seeded random share of Graph requests faulted
// (429 + Retry-After, 500/502/503/504, connections dropped before and after acting, slow answers, broken bodies,
// expired tokens). After every round the emulator's records are compared with what the provider reported.
//
// A round is one `pulumi up --refresh`: every resource in state is read (refresh), then each user's resource is
// created, continued (update of a created-but-failed one), replaced (new blob: delete first, same user), deleted,
// or left alone, as a seeded draw decides. The resources left alone are read while the others change (as another
// stack's refresh in the same tenant would be), unless --no-interleave. A failed operation is only retried by a later round, as a user re-runs
// `pulumi up`. The last round destroys everything. See docs/RELIABILITY.md for the counters and the figures.
//
// Usage: bash scripts/soak.sh [--users 40] [--rounds 6] [--fault-rate 0.15] [--seed 1] [--concurrency 16]
//                             [--import-ms 300] [--page-size 20] [--poll-ms 100] [--kinds 429,dropAfter,...]
//                             [--no-interleave] [--json]
// Exits 1 when anything was lost, duplicated or orphaned, or an operation hung.
import { RANDOM_FAULT_KINDS, startEmulator, type Emulator, type RandomFaultKind, type RandomFaultStats } from "../../emulator";
import { prng } from "../../emulator/faults";
import type { InMemoryImportStore } from "../../emulator/imports";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, PROVIDER_KEY, ProviderCallError, serializeProvider, type Props } from "../../test/harness/dynamic-provider";
import { STORAGE_ACCOUNT_ID } from "../../test/fixtures";

export interface SoakOptions {
    users: number;
    rounds: number;
    /** Share of Graph requests the emulator faults, 0..1. */
    faultRate: number;
    seed: number;
    /** Operations in flight at once per round (the engine's --parallel). */
    concurrency: number;
    importMs: number;
    pageSize: number;
    pollMs: number;
    kinds?: RandomFaultKind[];
    /** Progress lines (default: none). */
    log?: (line: string) => void;
    /** A single operation taking longer than this counts as hung (default 5 minutes). */
    opTimeoutMs?: number;
    /** Read the resources that no step changes this round while the steps run (default true); false: all reads first. */
    interleaveReads?: boolean;
    /** Called before each comparison (tests use it to check that the counters see planted damage). */
    beforeVerify?: (at: { round: number; emulator: Emulator; state: Map<number, { id: string }> }) => void;
}

/** The provider's error when Graph refused a resend and offers no way to find the import it made. */
const UNKNOWABLE = /documents no call that lists a user's imports/;

export const DEFAULTS: SoakOptions = { users: 40, rounds: 6, faultRate: 0.15, seed: 1, concurrency: 16, importMs: 300, pageSize: 20, pollMs: 100 };

type Op = "create" | "read" | "update" | "delete";

export interface Anomaly {
    round: number;
    kind: "lost-create" | "lost-delete" | "duplicated" | "orphaned" | "orphaned-reported" | "hung";
    user: string;
    snapshotId?: string;
    /** The provider's last error for this user, when there was one. */
    lastError?: string;
}

export interface SoakReport {
    options: Omit<SoakOptions, "log">;
    wallMs: number;
    operations: Record<Op, { ok: number; failed: number }> & { total: number };
    /** check and diff calls (no Graph requests). */
    checks: number;
    diffs: number;
    /** Creates that failed by design (a "corrupt" VHD: Graph fails the import, the provider purges it). */
    expectedFailures: number;
    /** Other failed operations, by reason (ids and numbers blanked), for the report. */
    failureReasons: Record<string, number>;
    /** Created-but-failed records (the engine keeps them in state and continues them with an update). */
    createdButFailed: number;
    graphRequests: number;
    faults: RandomFaultStats;
    /** From the provider processes' warnings. */
    retries: { total: number; backoff: number; tokenRefresh: number; reconciliations: number; gaveUp: number };
    lost: number;
    duplicated: number;
    orphaned: number;
    /**
     * Imports Graph made whose answer was lost where Graph lists no imports (the metadata dialect): nothing can find
     * their snapshotId, and the create failed saying so, naming the user and adoptSnapshotId. Counted apart.
     */
    orphanedReported: number;
    hung: number;
    anomalies: Anomaly[];
    /** Resources the faulted destroy passes could not delete; a final fault-free pass deleted them. */
    leftAfterFaultedDestroy: number;
    /** Imports the emulator created, in all. */
    importsCreated: number;
}

interface Res {
    urn: string;
    id: string;
    inputs: Props;
    outputs: Props;
    initErrors?: string[];
}

export function userId(i: number): string {
    return `5eed0000-0000-4000-8000-${(i + 1).toString(16).padStart(12, "0")}`;
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
        while (next < items.length) await fn(items[next++]!);
    }));
}

class HungError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HungError(`${what} did not finish within ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A failure message with ids, numbers and durations blanked, so equal causes group together. */
function reasonOf(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return text.split("\n")[0]!
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<id>")
        .replace(/\(code: .*$/, "")
        .replace(/\d+/g, "N")
        .slice(0, 160)
        .trim();
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
    const log = o.log ?? (() => undefined);
    const opTimeoutMs = o.opTimeoutMs ?? 5 * 60_000;
    const started = Date.now();
    const emulator = await startEmulator({ importDurationMs: o.importMs, pageSize: o.pageSize });
    // Every record the emulator creates, with its user and time: an operation that made two imports is a duplicate
    // even when the first was purged again before the round ended.
    const created: Array<{ user: string; id: string; at: number }> = [];
    const store = emulator.imports as InMemoryImportStore;
    const originalCreate = store.create.bind(store);
    store.create = (n, now) => {
        const r = originalCreate(n, now);
        created.push({ user: r.assignedUserId, id: r.snapshotId, at: Date.now() });
        return r;
    };

    const serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
    const rand = prng(o.seed ^ 0x5eed);
    const state = new Map<number, Res>();
    const version = new Array<number>(o.users).fill(0);
    const lastError = new Map<number, string>();
    const report: SoakReport = {
        options: { ...o, log: undefined, beforeVerify: undefined } as Omit<SoakOptions, "log">,
        wallMs: 0,
        operations: { create: { ok: 0, failed: 0 }, read: { ok: 0, failed: 0 }, update: { ok: 0, failed: 0 }, delete: { ok: 0, failed: 0 }, total: 0 },
        checks: 0, diffs: 0, expectedFailures: 0, failureReasons: {}, createdButFailed: 0, graphRequests: 0,
        faults: { rate: o.faultRate, seed: o.seed, kinds: [], considered: 0, injected: 0, byKind: {} },
        retries: { total: 0, backoff: 0, tokenRefresh: 0, reconciliations: 0, gaveUp: 0 },
        lost: 0, duplicated: 0, orphaned: 0, orphanedReported: 0, hung: 0, anomalies: [], leftAfterFaultedDestroy: 0, importsCreated: 0,
    };
    const urn = (u: number) => `urn:pulumi:soak::cloudpc::pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot::user${u}`;
    // Every fifth user imports from a SAS URL; one create in twenty names a "corrupt" VHD, which Graph fails.
    const news = (u: number, corrupt: boolean): Props => {
        const file = `user${u}-v${version[u]}${corrupt ? "-corrupt" : ""}.vhd`;
        const source = u % 5 === 4
            ? { sasUrl: `https://cloudpcvhds.blob.core.windows.net/vhds/${file}?sp=r&se=2030-01-01&sv=2022-11-02&sr=b&sig=soak${u}SIG%3D` }
            : { storageBlobInfo: { storageAccountId: STORAGE_ACCOUNT_ID, containerName: "vhds", fileName: file } };
        return { assignedUserId: userId(u), sourceFiles: [source], [PROVIDER_KEY]: serialized };
    };

    // What this round reported done, and the operations' time windows per user (for duplicates).
    let doneCreates: Array<{ u: number; id: string }> = [];
    let doneDeletes: Array<{ u: number; id: string }> = [];
    let createWindows: Array<{ u: number; from: number; to: number }> = [];

    const run = async (op: Op, u: number, work: () => Promise<void>, expected?: (err: unknown) => boolean): Promise<void> => {
        report.operations.total++;
        try {
            await withTimeout(work(), opTimeoutMs, `${op} of user${u}`);
            report.operations[op].ok++;
        } catch (err) {
            report.operations[op].failed++;
            lastError.set(u, err instanceof Error ? err.message : String(err));
            if (err instanceof HungError) {
                report.hung++;
                report.anomalies.push({ round: currentRound, kind: "hung", user: userId(u), lastError: err.message });
            } else if (expected?.(err)) {
                report.expectedFailures++;
            } else {
                const reason = `${op}: ${reasonOf(err)}`;
                report.failureReasons[reason] = (report.failureReasons[reason] ?? 0) + 1;
            }
        }
    };

    const create = (p: DynamicProviderProcess, u: number, corrupt: boolean) => run("create", u, async () => {
        const checked = await p.check(urn(u), {}, news(u, corrupt));
        report.checks++;
        if (checked.failures.length > 0) throw new Error(`check failed: ${checked.failures.map((f) => f.reason).join("; ")}`);
        const from = Date.now();
        try {
            const r = await p.create(urn(u), checked.inputs);
            state.set(u, { urn: urn(u), id: r.id, inputs: checked.inputs, outputs: r.properties });
            doneCreates.push({ u, id: r.id });
        } catch (err) {
            // Like the engine: a created-but-failed resource is recorded with its id.
            if (err instanceof ProviderCallError && err.initFailure) {
                state.set(u, { urn: urn(u), id: err.initFailure.id, inputs: checked.inputs, outputs: err.initFailure.properties, initErrors: err.initFailure.reasons });
                report.createdButFailed++;
            }
            throw err;
        } finally {
            createWindows.push({ u, from, to: Date.now() });
        }
    }, (err) => corrupt && /not a fixed-size VHD/.test(String((err as Error).message)));

    const update = (p: DynamicProviderProcess, u: number, res: Res) => run("update", u, async () => {
        const checked = await p.check(res.urn, res.inputs, { ...res.inputs, [PROVIDER_KEY]: serialized });
        report.checks++;
        const d = await p.diff(res.id, res.urn, res.outputs, checked.inputs);
        report.diffs++;
        if (d.changes !== "none") throw new Error(`diff of a continued resource reported changes: ${d.replaces.join(", ")}`);
        const from = Date.now();
        try {
            const r = await p.update(res.id, res.urn, res.outputs, checked.inputs);
            Object.assign(res, { inputs: checked.inputs, outputs: r.properties, initErrors: undefined });
            doneCreates.push({ u, id: res.id });
        } catch (err) {
            if (err instanceof ProviderCallError && err.initFailure) {
                Object.assign(res, { outputs: err.initFailure.properties, initErrors: err.initFailure.reasons });
            }
            throw err;
        } finally {
            createWindows.push({ u, from, to: Date.now() });
        }
    }, (err) => /not a fixed-size VHD/.test(String((err as Error).message)));

    const remove = (p: DynamicProviderProcess, u: number, res: Res) => run("delete", u, async () => {
        await p.delete(res.id, res.urn, res.outputs);
        state.delete(u);
        doneDeletes.push({ u, id: res.id });
    });

    const read = (p: DynamicProviderProcess, u: number, res: Res) => run("read", u, async () => {
        const r = await p.read(res.id, res.urn, res.outputs, res.inputs);
        if (!r.id && state.get(u) === res) state.delete(u); // refresh drops what Graph no longer has
        else res.outputs = r.properties;
    });

    let currentRound = 0;
    const retryLines = { backoff: /(?:retry|Retry-After wait) \d+\/\d+ in \d+ ms/, tokenRefresh: /retrying once with a fresh token/, reconciliations: /the outcome is unknown/, gaveUp: /giving up/ };
    const countRetries = (p: DynamicProviderProcess) => {
        for (const line of p.stderr.join("").split("\n")) {
            if (retryLines.backoff.test(line)) report.retries.backoff++;
            if (retryLines.tokenRefresh.test(line)) report.retries.tokenRefresh++;
            if (retryLines.reconciliations.test(line)) report.retries.reconciliations++;
            if (retryLines.gaveUp.test(line)) report.retries.gaveUp++;
        }
    };

    /** Compares the emulator's records with the provider's results; heals what it finds so the next round is clean. */
    const verify = (round: number) => {
        o.beforeVerify?.({ round, emulator, state });
        const live = emulator.imports.list();
        const liveIds = new Set(live.map((r) => r.snapshotId));
        const inState = new Set([...state.values()].map((r) => r.id.toLowerCase()));
        const flag = (kind: Anomaly["kind"], u: number | undefined, user: string, snapshotId?: string) => {
            report.anomalies.push({ round, kind, user, snapshotId, lastError: u === undefined ? undefined : lastError.get(u) });
        };
        const userIndex = (id: string) => Number.parseInt(id.slice(-12), 16) - 1;
        for (const { u, id } of doneCreates) {
            if (!liveIds.has(id) && state.get(u)?.id === id) {
                report.lost++;
                flag("lost-create", u, userId(u), id);
                state.delete(u);
            }
        }
        for (const { u, id } of doneDeletes) {
            if (liveIds.has(id)) {
                report.lost++;
                flag("lost-delete", u, userId(u), id);
                emulator.imports.remove(id);
            }
        }
        const perUser = new Map<string, number>();
        for (const r of live) perUser.set(r.assignedUserId, (perUser.get(r.assignedUserId) ?? 0) + 1);
        for (const [user, n] of perUser) {
            if (n > 1) {
                report.duplicated++;
                flag("duplicated", userIndex(user), user);
            }
        }
        for (const w of createWindows) {
            const made = created.filter((c) => c.user === userId(w.u) && c.at >= w.from && c.at <= w.to);
            if (made.length > 1) {
                report.duplicated++;
                flag("duplicated", w.u, userId(w.u), made.map((m) => m.id).join(","));
            }
        }
        for (const r of emulator.imports.list()) {
            if (!inState.has(r.snapshotId.toLowerCase())) {
                const u = userIndex(r.assignedUserId);
                const reported = UNKNOWABLE.test(lastError.get(u) ?? "");
                if (reported) report.orphanedReported++;
                else report.orphaned++;
                flag(reported ? "orphaned-reported" : "orphaned", u, r.assignedUserId, r.snapshotId);
                emulator.imports.remove(r.snapshotId); // so the user can go on in the next round
            }
        }
        doneCreates = [];
        doneDeletes = [];
        createWindows = [];
    };

    const withProvider = async (work: (p: DynamicProviderProcess) => Promise<void>) => {
        const p = await DynamicProviderProcess.start({ env: { ...emulator.env(), CLOUDPC_POLL_INTERVAL_SECONDS: String(o.pollMs / 1000) } });
        try {
            await p.configure({});
            await work(p);
        } finally {
            await p.close();
            countRetries(p);
        }
    };

    emulator.faults.setRandom({ rate: o.faultRate, seed: o.seed, ...(o.kinds ? { kinds: o.kinds } : {}) });
    try {
        for (let round = 1; round <= o.rounds; round++) {
            currentRound = round;
            const before = report.operations.total;
            await withProvider(async (p) => {
                // The round's draws, up front: which users get a step (and so are refreshed first).
                const draws = Array.from({ length: o.users }, () => ({ r: rand(), corrupt: rand() < 0.05 }));
                const stepFor = (u: number): boolean => {
                    const res = state.get(u);
                    return res ? res.initErrors !== undefined || draws[u]!.r < 0.35 : draws[u]!.r < 0.7;
                };
                const interleave = o.interleaveReads !== false;
                // Refresh: every resource in state; with interleaving, those without a step this round are read
                // while the others change (another stack's refresh, or a stack split in parts, in the same tenant).
                const quiet = interleave ? [...state.entries()].filter(([u]) => !stepFor(u)) : [];
                await pool([...state.entries()].filter(([u]) => !quiet.some(([q]) => q === u)), o.concurrency, ([u, res]) => read(p, u, res));
                // Up: one step per user.
                const steps: Array<() => Promise<void>> = [];
                for (let u = 0; u < o.users; u++) {
                    const res = state.get(u);
                    const { r, corrupt } = draws[u]!;
                    if (!res) {
                        if (r < 0.7) steps.push(() => create(p, u, corrupt));
                    } else if (res.initErrors) {
                        steps.push(() => update(p, u, res));
                    } else if (r < 0.2) {
                        steps.push(() => remove(p, u, res));
                    } else if (r < 0.35) {
                        // A new blob: diff replaces delete-first (same user), as the engine would.
                        steps.push(async () => {
                            version[u]++;
                            const checked = await p.check(res.urn, res.inputs, news(u, corrupt));
                            report.checks++;
                            const d = await p.diff(res.id, res.urn, res.outputs, checked.inputs);
                            report.diffs++;
                            if (!d.deleteBeforeReplace || d.replaces.length === 0) throw new Error(`diff did not replace delete-first: ${JSON.stringify(d)}`);
                            await remove(p, u, res);
                            if (!state.has(u)) await create(p, u, corrupt);
                        });
                    }
                }
                // Reads of the quiet users spread among the steps.
                const reads = quiet.map(([u, res]) => () => read(p, u, res));
                const mixed: Array<() => Promise<void>> = [];
                const every = Math.max(1, Math.ceil(steps.length / Math.max(1, reads.length)));
                steps.forEach((step, i) => {
                    mixed.push(step);
                    if ((i + 1) % every === 0 && reads.length > 0) mixed.push(reads.shift()!);
                });
                mixed.push(...reads);
                await pool(mixed, o.concurrency, (step) => step());
            });
            verify(round);
            log(`round ${round}/${o.rounds}: ${report.operations.total - before} operations, ${state.size} resources in state, ` +
                `${emulator.imports.list().length} imports; lost ${report.lost}, duplicated ${report.duplicated}, orphaned ${report.orphaned}`);
        }

        // Destroy, still under faults; a user re-runs `pulumi destroy` until it is clean.
        currentRound = o.rounds + 1;
        for (let pass = 0; pass < 5 && state.size > 0; pass++) {
            await withProvider((p) => pool([...state.entries()], o.concurrency, ([u, res]) => remove(p, u, res)));
            verify(currentRound);
        }
        report.faults = emulator.faults.randomStats() ?? report.faults;
        report.graphRequests = report.faults.considered;
        emulator.faults.setRandom(null);
        report.leftAfterFaultedDestroy = state.size;
        if (state.size > 0) {
            await withProvider((p) => pool([...state.entries()], o.concurrency, ([u, res]) => remove(p, u, res)));
            verify(currentRound);
        }
        log(`destroy: ${state.size} resources left in state, ${emulator.imports.list().length} imports left`);
        if (state.size > 0 || emulator.imports.list().length > 0) {
            for (const r of emulator.imports.list()) {
                report.orphaned++;
                report.anomalies.push({ round: currentRound, kind: "orphaned", user: r.assignedUserId, snapshotId: r.snapshotId });
            }
        }
    } finally {
        await emulator.close();
    }
    report.importsCreated = created.length;
    report.retries.total = report.retries.backoff + report.retries.tokenRefresh;
    report.wallMs = Date.now() - started;
    return report;
}

export function formatReport(r: SoakReport): string {
    const o = r.options;
    const ops = r.operations;
    const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
    const kinds = (r.faults.kinds.length ? r.faults.kinds : [...RANDOM_FAULT_KINDS]).map((k) => `${k}=${r.faults.byKind[k] ?? 0}`).join(" ");
    const reasons = Object.entries(r.failureReasons).sort((a, b) => b[1] - a[1]);
    const lines = [
        `Soak: ${o.users} users x ${o.rounds} rounds + destroy, fault rate ${o.faultRate} (seed ${o.seed}), concurrency ${o.concurrency}, ` +
            `import ${o.importMs} ms, page size ${o.pageSize}, poll ${o.pollMs} ms`,
        `operations        ${ops.total} (create ${ops.create.ok + ops.create.failed}, read ${ops.read.ok + ops.read.failed}, ` +
            `update ${ops.update.ok + ops.update.failed}, delete ${ops.delete.ok + ops.delete.failed}); plus ${r.checks} checks, ${r.diffs} diffs`,
        `  succeeded       ${ops.create.ok + ops.read.ok + ops.update.ok + ops.delete.ok}; failed ${ops.create.failed + ops.read.failed + ops.update.failed + ops.delete.failed} ` +
            `(${r.expectedFailures} by design: corrupt VHDs; ${r.createdButFailed} created-but-failed, kept in state and continued)`,
        ...reasons.slice(0, 8).map(([k, n]) => `    ${String(n).padStart(5)} x ${k}`),
        `Graph requests    ${r.graphRequests}; imports created ${r.importsCreated}`,
        `faults injected   ${r.faults.injected} = ${pct(r.faults.injected, r.graphRequests)} of Graph requests: ${kinds}`,
        `retries           ${r.retries.total} (backoff/Retry-After ${r.retries.backoff}, fresh token after 401 ${r.retries.tokenRefresh}); ` +
            `ambiguous writes reconciled ${r.retries.reconciliations}; calls that gave up ${r.retries.gaveUp}`,
        `lost              ${r.lost}`,
        `duplicated        ${r.duplicated}`,
        `orphaned          ${r.orphaned}`,
        `orphaned, told   ${r.orphanedReported} (answer lost and Graph lists no imports: the create failed naming the user and adoptSnapshotId)`,
        `hung              ${r.hung}`,
        `destroy           ${r.leftAfterFaultedDestroy} resources needed a fault-free pass after 5 faulted ones`,
        `wall time         ${(r.wallMs / 1000).toFixed(1)} s`,
    ];
    for (const a of r.anomalies.slice(0, 20)) {
        lines.push(`  ! round ${a.round} ${a.kind} user ${a.user}${a.snapshotId ? ` import ${a.snapshotId}` : ""}${a.lastError ? `: ${a.lastError.split("\n")[0]!.slice(0, 300)}` : ""}`);
    }
    return lines.join("\n");
}

export function soakPassed(r: SoakReport): boolean {
    return r.lost === 0 && r.duplicated === 0 && r.orphaned === 0 && r.hung === 0;
}

export function parseArgs(argv: string[]): SoakOptions & { json: boolean } {
    const get = (name: string): string | undefined => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const num = (name: string, def: number, ok: (n: number) => boolean): number => {
        const v = get(name);
        if (v === undefined) return def;
        const n = Number(v);
        if (!Number.isFinite(n) || !ok(n)) throw new Error(`--${name}: invalid value '${v}'`);
        return n;
    };
    const int = (n: number) => Number.isInteger(n) && n > 0;
    const kinds = get("kinds")?.split(",") as RandomFaultKind[] | undefined;
    return {
        users: num("users", DEFAULTS.users, int),
        rounds: num("rounds", DEFAULTS.rounds, int),
        faultRate: num("fault-rate", DEFAULTS.faultRate, (n) => n >= 0 && n <= 1),
        seed: num("seed", DEFAULTS.seed, Number.isInteger),
        concurrency: num("concurrency", DEFAULTS.concurrency, int),
        importMs: num("import-ms", DEFAULTS.importMs, (n) => n >= 0),
        pageSize: num("page-size", DEFAULTS.pageSize, int),
        pollMs: num("poll-ms", DEFAULTS.pollMs, int),
        ...(kinds ? { kinds } : {}),
        interleaveReads: !argv.includes("--no-interleave"),
        json: argv.includes("--json"),
    };
}

if (require.main === module) {
    (async () => {
        const { json, ...options } = parseArgs(process.argv.slice(2));
        const report = await runSoak({ ...options, log: (l) => process.stderr.write(`${l}\n`) });
        console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
        process.exit(soakPassed(report) ? 0 : 1);
    })().catch((err) => {
        console.error(err);
        process.exit(2);
    });
}
