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
// The VHDs live in the storage emulator Azurite (test/harness/azurite.ts, behind its fault proxy), where the provider's
// replacement preflight (cloudpc:storageEndpoint) really reads them. A share of replacements names a bad new source
// (missing blob, SAS refused for its signature, SAS expiring before an import could finish, a file that is no VHD):
// the preflight must refuse before the purge, so the user keeps the old import. Another share names a good VHD that
// Windows 365 rejects for its content ("corrupt" in its name: the Graph emulator fails the import): no preflight can
// see that, the old import is already purged, and the user is left with nothing until a good file is imported.
//
// Usage: bash scripts/soak.sh [--users 40] [--rounds 6] [--fault-rate 0.15] [--seed 1] [--concurrency 16]
//                             [--import-ms 300] [--page-size 20] [--poll-ms 100] [--kinds 429,dropAfter,...]
//                             [--objection-rate 0.3] [--corrupt-replacement-rate 0.15] [--no-interleave] [--json]
// Exits 1 when anything was lost, duplicated or orphaned, an operation hung, or a user was left with nothing after a
// definite objection.
import {
    RANDOM_FAULT_KINDS,
    startEmulator,
    type Emulator,
    type RandomFaultKind,
    type RandomFaultStats,
} from "../../emulator";
import { parseArgs as parseCommandLine } from "node:util";
import { prng } from "../../emulator/faults";
import type { InMemoryImportStore } from "../../emulator/imports";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import {
    DynamicProviderProcess,
    PROVIDER_KEY,
    ProviderCallError,
    serializeProvider,
    type Props,
} from "../../test/harness/dynamic-provider";
import { STORAGE_ACCOUNT_ID } from "../../test/fixtures";
import { startAzurite, startFaultProxy } from "../../test/harness/azurite";
import { DevStorage, syntheticFixedVhd } from "../../test/harness/storage-blobs";

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
    /** Share of replacements whose new source draws a definite preflight objection (default 0.3). */
    objectionRate?: number;
    /** Share of replacements to a good VHD that Windows 365 rejects for its content after the purge (default 0.15). */
    corruptReplacementRate?: number;
    /** Called before each comparison (tests use it to check that the counters see planted damage). */
    beforeVerify?: (at: {
        round: number;
        emulator: Emulator;
        state: Map<number, { id: string }>;
        /** This round's replacements to a bad source: the user, and the import the preflight must have kept. */
        objectionSteps: ReadonlyArray<{ u: number; oldId: string }>;
    }) => void;
}

/** The provider's error when Graph refused a resend and offers no way to find the import it made. */
const UNKNOWABLE = /documents no call that lists a user's imports/;

export const DEFAULTS: SoakOptions = {
    users: 40,
    rounds: 6,
    faultRate: 0.15,
    seed: 1,
    concurrency: 16,
    importMs: 300,
    pageSize: 20,
    pollMs: 100,
    objectionRate: 0.3,
    corruptReplacementRate: 0.15,
};

/** New sources the preflight must refuse before a purge, each a definite objection (provider/preflight/). */
export const OBJECTION_KINDS = ["missing", "forgedSignature", "sasExpiring", "notVhd"] as const;
export type ObjectionKind = (typeof OBJECTION_KINDS)[number];

/** The fake signature of a forged SAS; the fault proxy answers its reads 403 AuthenticationFailed, as Azure does. */
const FORGED_SIG = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D";

type Op = "create" | "read" | "update" | "delete";

export interface Anomaly {
    round: number;
    kind:
        | "lost-create"
        | "lost-delete"
        | "duplicated"
        | "orphaned"
        | "orphaned-reported"
        | "hung"
        | "nothing-after-objection"
        | "nothing-past-purge";
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
    /** Replacements to a bad new source (OBJECTION_KINDS), and how many the preflight refused before the purge. */
    objections: { attempted: number; refused: number; byKind: Partial<Record<ObjectionKind, number>> };
    /** Users left with no working import after a replacement whose new source drew a definite objection: must be 0. */
    nothingAfterObjection: number;
    /**
     * Users left with no working import after a replacement purged their import and the new import failed: `content`
     * when Windows 365 (the emulator) rejected the new file for its content, `other` when the new import's call failed
     * otherwise (e.g. under the random faults; the next up retries it). `injected`: replacements to such a file whose
     * purge went through, each an import failure the soak caused on purpose; `notMade`: those of them whose new
     * import Graph never made (its call failed under the faults first), so Windows 365 never saw the file.
     */
    nothingPastPurge: { content: number; other: number; injected: number; notMade: number };
    /** Replacements that went ahead after a warning because the preflight could not verify the new source. */
    unverifiedReplacements: number;
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
    await Promise.all(
        Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
            while (next < items.length) await fn(items[next++]!);
        }),
    );
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
    return text
        .split("\n")[0]!
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<id>")
        .replace(/\(code: .*$/, "")
        .replace(/\d+/g, "N")
        .slice(0, 160)
        .trim();
}

/** Azurite behind its fault proxy, with the container the soak's VHDs go to. */
async function startStorage() {
    const azurite = await startAzurite();
    let storageProxy: Awaited<ReturnType<typeof startFaultProxy>> | undefined;
    try {
        storageProxy = await startFaultProxy(azurite.origin);
        // Azure refuses a forged SAS signature with AuthenticationFailed (Azurite says AuthorizationFailure).
        storageProxy.faults.push({ pathContains: `sig=${FORGED_SIG}`, status: 403, code: "AuthenticationFailed" });
        const storage = new DevStorage(azurite.origin);
        await storage.container("vhds");
        return { azurite, storageProxy, storage };
    } catch (err) {
        await storageProxy?.close();
        await azurite.close();
        throw err;
    }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
    const log = o.log ?? (() => undefined);
    const opTimeoutMs = o.opTimeoutMs ?? 5 * 60_000;
    const objectionRate = o.objectionRate ?? DEFAULTS.objectionRate!;
    const corruptReplacementRate = o.corruptReplacementRate ?? DEFAULTS.corruptReplacementRate!;
    const started = Date.now();
    const emulator = await startEmulator({ importDurationMs: o.importMs, pageSize: o.pageSize });
    const { azurite, storageProxy, storage } = await startStorage().catch(async (err) => {
        await emulator.close();
        throw err;
    });
    // Every record the emulator creates, with its user, file and time: an operation that made two imports is a
    // duplicate even when the first was purged again before the round ended.
    const created: Array<{ user: string; id: string; at: number; file: string }> = [];
    /** Files Windows 365 could not import (a bad source the preflight should have stopped): their imports fail. */
    const unreadable = new Set<string>();
    const store = emulator.imports as InMemoryImportStore;
    const originalCreate = store.create.bind(store);
    store.create = (n, now) => {
        const r = originalCreate(n, now);
        created.push({ user: r.assignedUserId, id: r.snapshotId, at: Date.now(), file: n.request.dataFile.name });
        if (unreadable.has(n.request.dataFile.name)) {
            store.setStatus(r.snapshotId, "failed", `The source file '${n.request.dataFile.name}' could not be read.`);
        }
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
        operations: {
            create: { ok: 0, failed: 0 },
            read: { ok: 0, failed: 0 },
            update: { ok: 0, failed: 0 },
            delete: { ok: 0, failed: 0 },
            total: 0,
        },
        checks: 0,
        diffs: 0,
        expectedFailures: 0,
        failureReasons: {},
        createdButFailed: 0,
        graphRequests: 0,
        faults: { rate: o.faultRate, seed: o.seed, kinds: [], considered: 0, injected: 0, byKind: {} },
        retries: { total: 0, backoff: 0, tokenRefresh: 0, reconciliations: 0, gaveUp: 0 },
        lost: 0,
        duplicated: 0,
        orphaned: 0,
        orphanedReported: 0,
        hung: 0,
        anomalies: [],
        leftAfterFaultedDestroy: 0,
        importsCreated: 0,
        objections: { attempted: 0, refused: 0, byKind: {} },
        nothingAfterObjection: 0,
        nothingPastPurge: { content: 0, other: 0, injected: 0, notMade: 0 },
        unverifiedReplacements: 0,
    };
    const urn = (u: number) => `urn:pulumi:soak::cloudpc::pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot::user${u}`;
    // Every fifth user imports from a SAS URL (path-style, to Azurite through the fault proxy), the others by
    // storageBlobInfo; one create in twenty names a "corrupt" VHD, which Graph fails. Every good file is a real
    // fixed VHD in Azurite ("corrupt" ones too: their damage is in content no footer shows).
    const uploaded = new Set<string>();
    const vhd = syntheticFixedVhd(64 * 1024);
    const put = async (file: string, data = vhd) => {
        if (uploaded.has(file)) return;
        await storage.putPageBlob("vhds", file, data);
        uploaded.add(file);
    };
    const sasFor = (file: string, expiresInMs = 2 * 86_400_000) =>
        storage.sasUrl(storageProxy.origin, "vhds", file, new Date(Date.now() + expiresInMs));
    const props = (u: number, source: Record<string, unknown>): Props => ({
        assignedUserId: userId(u),
        sourceFiles: [source],
        [PROVIDER_KEY]: serialized,
    });
    const news = async (u: number, corrupt: boolean): Promise<Props> => {
        const file = `user${u}-v${version[u]}${corrupt ? "-corrupt" : ""}.vhd`;
        await put(file);
        return props(
            u,
            u % 5 === 4
                ? { sasUrl: sasFor(file) }
                : { storageBlobInfo: { storageAccountId: STORAGE_ACCOUNT_ID, containerName: "vhds", fileName: file } },
        );
    };
    /** A new source the preflight can prove unimportable (always a SAS URL: storage answers the reads itself). */
    const badNews = async (u: number, kind: ObjectionKind): Promise<Props> => {
        const file = `user${u}-v${version[u]}-${kind}.vhd`;
        unreadable.add(file);
        if (kind === "notVhd") await put(file, Buffer.alloc(64 * 1024, 0x41));
        else if (kind !== "missing") await put(file);
        const sasUrl =
            kind === "sasExpiring"
                ? sasFor(file, 30 * 60_000) // an import may take hours
                : kind === "forgedSignature"
                  ? sasFor(file).replace(/sig=[^&]+/, `sig=${FORGED_SIG}`)
                  : sasFor(file);
        return props(u, { sasUrl });
    };

    // What this round reported done, and the operations' time windows per user (for duplicates).
    let doneCreates: Array<{ u: number; id: string }> = [];
    let doneDeletes: Array<{ u: number; id: string }> = [];
    let createWindows: Array<{ u: number; from: number; to: number }> = [];
    // This round's replacements to a bad source (the user had import `oldId`), and those whose purge went through.
    let objectionSteps: Array<{ u: number; oldId: string }> = [];
    let purgedSteps: Array<{ u: number; corrupt: boolean; from: number }> = [];

    const run = async (
        op: Op,
        u: number,
        work: () => Promise<void>,
        expected?: (err: unknown) => boolean,
    ): Promise<void> => {
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

    const create = (p: DynamicProviderProcess, u: number, corrupt: boolean, given?: Props) =>
        run(
            "create",
            u,
            async () => {
                const checked = await p.check(urn(u), {}, given ?? (await news(u, corrupt)));
                report.checks++;
                if (checked.failures.length > 0)
                    throw new Error(`check failed: ${checked.failures.map((f) => f.reason).join("; ")}`);
                const from = Date.now();
                try {
                    const r = await p.create(urn(u), checked.inputs);
                    state.set(u, { urn: urn(u), id: r.id, inputs: checked.inputs, outputs: r.properties });
                    doneCreates.push({ u, id: r.id });
                } catch (err) {
                    // Like the engine: a created-but-failed resource is recorded with its id.
                    if (err instanceof ProviderCallError && err.initFailure) {
                        state.set(u, {
                            urn: urn(u),
                            id: err.initFailure.id,
                            inputs: checked.inputs,
                            outputs: err.initFailure.properties,
                            initErrors: err.initFailure.reasons,
                        });
                        report.createdButFailed++;
                    }
                    throw err;
                } finally {
                    createWindows.push({ u, from, to: Date.now() });
                }
            },
            (err) => corrupt && /not a fixed-size VHD/.test(String((err as Error).message)),
        );

    const update = (p: DynamicProviderProcess, u: number, res: Res) =>
        run(
            "update",
            u,
            async () => {
                const checked = await p.check(res.urn, res.inputs, { ...res.inputs, [PROVIDER_KEY]: serialized });
                report.checks++;
                const d = await p.diff(res.id, res.urn, res.outputs, checked.inputs);
                report.diffs++;
                if (d.changes !== "none")
                    throw new Error(`diff of a continued resource reported changes: ${d.replaces.join(", ")}`);
                const from = Date.now();
                try {
                    const r = await p.update(res.id, res.urn, res.outputs, checked.inputs);
                    Object.assign(res, { inputs: checked.inputs, outputs: r.properties, initErrors: undefined });
                    doneCreates.push({ u, id: res.id });
                } catch (err) {
                    if (err instanceof ProviderCallError && err.initFailure) {
                        Object.assign(res, {
                            outputs: err.initFailure.properties,
                            initErrors: err.initFailure.reasons,
                        });
                    }
                    throw err;
                } finally {
                    createWindows.push({ u, from, to: Date.now() });
                }
            },
            (err) => /not a fixed-size VHD/.test(String((err as Error).message)),
        );

    const remove = (p: DynamicProviderProcess, u: number, res: Res) =>
        run("delete", u, async () => {
            await p.delete(res.id, res.urn, res.outputs);
            state.delete(u);
            doneDeletes.push({ u, id: res.id });
        });

    const read = (p: DynamicProviderProcess, u: number, res: Res) =>
        run("read", u, async () => {
            const r = await p.read(res.id, res.urn, res.outputs, res.inputs);
            if (!r.id && state.get(u) === res)
                state.delete(u); // refresh drops what Graph no longer has
            else res.outputs = r.properties;
        });

    const replace = async (
        p: DynamicProviderProcess,
        u: number,
        res: Res,
        objection: ObjectionKind | undefined,
        corrupt: boolean,
    ) => {
        version[u]++;
        const next = objection ? await badNews(u, objection) : await news(u, corrupt);
        const checked = await p.check(res.urn, res.inputs, next);
        report.checks++;
        if (objection) {
            report.objections.attempted++;
            report.objections.byKind[objection] = (report.objections.byKind[objection] ?? 0) + 1;
            objectionSteps.push({ u, oldId: res.id });
        }
        let d: Awaited<ReturnType<DynamicProviderProcess["diff"]>>;
        try {
            d = await p.diff(res.id, res.urn, res.outputs, checked.inputs);
        } catch (err) {
            // The preflight refused: the engine stops before any step for the resource.
            const refused = /refused before purging it/.test(String((err as Error).message));
            if (refused && objection) report.objections.refused++;
            else {
                const reason = `diff: ${reasonOf(err)}`;
                report.failureReasons[reason] = (report.failureReasons[reason] ?? 0) + 1;
            }
            lastError.set(u, String((err as Error).message));
            return;
        } finally {
            report.diffs++;
        }
        if (!d.deleteBeforeReplace || d.replaces.length === 0)
            throw new Error(`diff did not replace delete-first: ${JSON.stringify(d)}`);
        const from = Date.now();
        await remove(p, u, res);
        if (state.has(u)) return; // the purge failed: the user keeps the old import
        purgedSteps.push({ u, corrupt, from });
        await create(p, u, corrupt, next);
    };

    let currentRound = 0;
    const retryLines = {
        backoff: /(?:retry|Retry-After wait) \d+\/\d+ in \d+ ms/,
        tokenRefresh: /retrying once with a fresh token/,
        reconciliations: /the outcome is unknown/,
        gaveUp: /giving up/,
    };
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
        o.beforeVerify?.({ round, emulator, state, objectionSteps });
        const live = emulator.imports.list();
        const liveIds = new Set(live.map((r) => r.snapshotId));
        const inState = new Set([...state.values()].map((r) => r.id.toLowerCase()));
        const flag = (kind: Anomaly["kind"], u: number | undefined, user: string, snapshotId?: string) => {
            report.anomalies.push({
                round,
                kind,
                user,
                snapshotId,
                lastError: u === undefined ? undefined : lastError.get(u),
            });
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
        // Left with nothing: Graph holds no import of the user that has not failed.
        const working = new Set(live.filter((r) => r.importStatus !== "failed").map((r) => r.assignedUserId));
        for (const { u, oldId } of objectionSteps) {
            if (!working.has(userId(u))) {
                report.nothingAfterObjection++;
                flag("nothing-after-objection", u, userId(u), oldId);
            }
        }
        for (const { u, corrupt, from } of purgedSteps) {
            // Windows 365 made the new import and failed it for the file's content, or the import was never made.
            const rejected = created.some((c) => c.user === userId(u) && c.at >= from && /corrupt/.test(c.file));
            if (corrupt) report.nothingPastPurge.injected++;
            if (corrupt && !rejected) report.nothingPastPurge.notMade++;
            if (working.has(userId(u))) continue;
            if (rejected) report.nothingPastPurge.content++;
            else report.nothingPastPurge.other++;
            const held = live
                .filter((r) => r.assignedUserId === userId(u))
                .map((r) => `${r.snapshotId} ${r.importStatus}`);
            flag("nothing-past-purge", u, userId(u), held.join(", ") || undefined);
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
        objectionSteps = [];
        purgedSteps = [];
    };

    const withProvider = async (work: (p: DynamicProviderProcess) => Promise<void>) => {
        const p = await DynamicProviderProcess.start({
            env: {
                ...emulator.env(),
                CLOUDPC_POLL_INTERVAL_SECONDS: String(o.pollMs / 1000),
                // storageBlobInfo reads go to Azurite too; the emulator's authority issues no storage token, so those
                // reads are refused and the replacement goes ahead with a warning (counted as unverified).
                CLOUDPC_STORAGE_ENDPOINT: `${storageProxy.origin}/{account}`,
            },
        });
        try {
            await p.configure({});
            await work(p);
        } finally {
            await p.close();
            countRetries(p);
            report.unverifiedReplacements += p.stderr
                .join("")
                .split("\n")
                .filter((l) => /could not be checked.*Going ahead/.test(l)).length;
        }
    };

    emulator.faults.setRandom({ rate: o.faultRate, seed: o.seed, ...(o.kinds ? { kinds: o.kinds } : {}) });
    try {
        for (let round = 1; round <= o.rounds; round++) {
            currentRound = round;
            const before = report.operations.total;
            await withProvider(async (p) => {
                // The round's draws, up front: which users get a step (and so are refreshed first).
                const draws = Array.from({ length: o.users }, () => ({
                    r: rand(),
                    corrupt: rand() < 0.05,
                    bad: rand(),
                }));
                const stepFor = (u: number): boolean => {
                    const res = state.get(u);
                    return res ? res.initErrors !== undefined || draws[u]!.r < 0.35 : draws[u]!.r < 0.7;
                };
                const interleave = o.interleaveReads !== false;
                // Refresh: every resource in state; with interleaving, those without a step this round are read
                // while the others change (another stack's refresh, or a stack split in parts, in the same tenant).
                const quiet = interleave ? [...state.entries()].filter(([u]) => !stepFor(u)) : [];
                await pool(
                    [...state.entries()].filter(([u]) => !quiet.some(([q]) => q === u)),
                    o.concurrency,
                    ([u, res]) => read(p, u, res),
                );
                // Up: one step per user.
                const steps: Array<() => Promise<void>> = [];
                for (let u = 0; u < o.users; u++) {
                    const res = state.get(u);
                    const { r, corrupt, bad } = draws[u]!;
                    if (!res) {
                        if (r < 0.7) steps.push(() => create(p, u, corrupt));
                    } else if (res.initErrors) {
                        steps.push(() => update(p, u, res));
                    } else if (r < 0.2) {
                        steps.push(() => remove(p, u, res));
                    } else if (r < 0.35) {
                        // A new blob: diff replaces delete-first (same user), as the engine would. A share of new
                        // sources is bad (the preflight must refuse), another good but rejected by Windows 365.
                        const objection =
                            bad < objectionRate
                                ? OBJECTION_KINDS[Math.floor((bad / objectionRate) * OBJECTION_KINDS.length)]!
                                : undefined;
                        const rejected = !objection && bad < objectionRate + corruptReplacementRate;
                        steps.push(() => replace(p, u, res, objection, rejected));
                    }
                }
                // Reads of the quiet users spread among the steps.
                const reads = quiet.map(
                    ([u, res]) =>
                        () =>
                            read(p, u, res),
                );
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
            log(
                `round ${round}/${o.rounds}: ${report.operations.total - before} operations, ${state.size} resources in state, ` +
                    `${emulator.imports.list().length} imports; lost ${report.lost}, duplicated ${report.duplicated}, orphaned ${report.orphaned}`,
            );
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
                report.anomalies.push({
                    round: currentRound,
                    kind: "orphaned",
                    user: r.assignedUserId,
                    snapshotId: r.snapshotId,
                });
            }
        }
    } finally {
        await Promise.all([emulator.close(), storageProxy.close()]);
        await azurite.close();
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
    const kinds = (r.faults.kinds.length ? r.faults.kinds : [...RANDOM_FAULT_KINDS])
        .map((k) => `${k}=${r.faults.byKind[k] ?? 0}`)
        .join(" ");
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
        `nothing left, objection   ${r.nothingAfterObjection} users left with no import after a replacement to a bad source ` +
            `(${r.objections.attempted} such replacements, ${r.objections.refused} refused before the purge: ` +
            `${OBJECTION_KINDS.map((k) => `${k}=${r.objections.byKind[k] ?? 0}`).join(" ")})`,
        `nothing left, past purge  ${r.nothingPastPurge.content + r.nothingPastPurge.other} users left with no import after ` +
            `the purge: ${r.nothingPastPurge.content} whose new file Windows 365 rejected for its content ` +
            `(${r.nothingPastPurge.injected} such failures injected, ${r.nothingPastPurge.notMade} of them never made ` +
            `by Graph; no preflight sees them), ` +
            `${r.nothingPastPurge.other} whose new import's call failed (retried by the next up)`,
        `unverified        ${r.unverifiedReplacements} replacements went ahead with a warning (new source could not be read)`,
        `destroy           ${r.leftAfterFaultedDestroy} resources needed a fault-free pass after 5 faulted ones`,
        `wall time         ${(r.wallMs / 1000).toFixed(1)} s`,
    ];
    for (const a of r.anomalies.slice(0, 20)) {
        lines.push(
            `  ! round ${a.round} ${a.kind} user ${a.user}${a.snapshotId ? ` import ${a.snapshotId}` : ""}${a.lastError ? `: ${a.lastError.split("\n")[0]!.slice(0, 300)}` : ""}`,
        );
    }
    return lines.join("\n");
}

export function soakPassed(r: SoakReport): boolean {
    return r.lost === 0 && r.duplicated === 0 && r.orphaned === 0 && r.hung === 0 && r.nothingAfterObjection === 0;
}

const USAGE = `Usage: bash scripts/soak.sh [options]
  --users <n>          (default ${DEFAULTS.users})
  --rounds <n>         (default ${DEFAULTS.rounds})
  --fault-rate <0..1>  share of Graph requests faulted (default ${DEFAULTS.faultRate})
  --seed <n>           (default ${DEFAULTS.seed})
  --concurrency <n>    operations in flight per round (default ${DEFAULTS.concurrency})
  --import-ms <n>      (default ${DEFAULTS.importMs})
  --page-size <n>      (default ${DEFAULTS.pageSize})
  --poll-ms <n>        (default ${DEFAULTS.pollMs})
  --objection-rate <0..1>  share of replacements to a bad source (default ${DEFAULTS.objectionRate})
  --corrupt-replacement-rate <0..1>  share to a VHD Windows 365 rejects (default ${DEFAULTS.corruptReplacementRate})
  --kinds <k,...>      fault kinds (default all: ${RANDOM_FAULT_KINDS.join(",")})
  --no-interleave      read the untouched resources before the steps, not during them
  --json               print the report as JSON
  -h, --help           this help
`;

export function parseArgs(argv: string[]): SoakOptions & { json: boolean } {
    const text = { type: "string" } as const;
    const flag = { type: "boolean" } as const;
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseCommandLine({
            args: argv,
            options: {
                users: text,
                rounds: text,
                "fault-rate": text,
                seed: text,
                concurrency: text,
                "import-ms": text,
                "page-size": text,
                "poll-ms": text,
                kinds: text,
                "objection-rate": text,
                "corrupt-replacement-rate": text,
                "no-interleave": flag,
                json: flag,
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        throw new Error(`${(err as Error).message}\n\n${USAGE}`);
    }
    if (values.help) {
        process.stdout.write(USAGE);
        process.exit(0);
    }
    const num = (name: string, def: number, ok: (n: number) => boolean): number => {
        const v = values[name] as string | undefined;
        if (v === undefined) return def;
        const n = Number(v);
        if (!Number.isFinite(n) || !ok(n)) throw new Error(`--${name}: invalid value '${v}'\n\n${USAGE}`);
        return n;
    };
    const int = (n: number) => Number.isInteger(n) && n > 0;
    const kinds = (values.kinds as string | undefined)?.split(",") as RandomFaultKind[] | undefined;
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
        objectionRate: num("objection-rate", DEFAULTS.objectionRate!, (n) => n >= 0 && n <= 1),
        corruptReplacementRate: num(
            "corrupt-replacement-rate",
            DEFAULTS.corruptReplacementRate!,
            (n) => n >= 0 && n <= 1,
        ),
        interleaveReads: values["no-interleave"] !== true,
        json: values.json === true,
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
