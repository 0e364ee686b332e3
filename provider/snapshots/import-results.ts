// Reading import records, and the one place that decides an import is gone.
//
// Invariant: an import is "gone" only when a read function says so in a 2xx answer: the plural
// retrieveSnapshotImportResults(snapshotId=) answering a collection without the record. (Or, when the user opts in
// with the `notFoundMeansGone` setting, a 404 from that function or from another proven in this process.) Every
// other answer — an error
// from a function not yet proven, a 404 from the singular, a list pass that missed the record — is "unknown": refresh
// keeps the resource and warns, a wait goes on, adoption goes ahead. Dropping a live import from state orphans it
// and blocks its user (Graph allows one import per user), so "gone" must be proven.
//
// The sources disagree on the function (docs/GRAPH-FIDELITY.md): the metadata declares only the plural, the docs
// page a singular, the seed a tenant-wide list. They are tried in that order (route-fallback.ts).
import { batchGet } from "../graph/batch";
import { GraphError } from "../graph/errors";
import type { GraphClient } from "../graph/client";
import { NoRouteError, type FallbackRoute } from "./route-fallback";
import type { SnapshotsApi } from "./api";
import { odataString, SNAPSHOTS } from "./paths";
import type { CloudPcSnapshotImportActionResult, ODataCollection } from "./types";

export type ReadFunction =
    "retrieveSnapshotImportResults" | "retrieveSnapshotImportResult" | "listSnapshotImportResults";
export const READ_FUNCTIONS: readonly ReadFunction[] = [
    "retrieveSnapshotImportResults",
    "retrieveSnapshotImportResult",
    "listSnapshotImportResults",
];
const FAMILY = "import-result";
const ROUTES: readonly FallbackRoute<ReadFunction>[] = READ_FUNCTIONS.map((name) => ({ name }));
const LIST: readonly FallbackRoute<ReadFunction>[] = [{ name: "listSnapshotImportResults" }];

export type ImportRecord = CloudPcSnapshotImportActionResult;

/** What a read by id established. `unknown` says why, with the answer's request ids when there was one. */
export type ImportLookup =
    { kind: "found"; record: ImportRecord } | { kind: "gone" } | { kind: "unknown"; why: string };

export interface LookupOptions {
    /**
     * Accept a 404 from the plural (the metadata's function), or from a function proven in this process, as "gone":
     * the user's escape hatch where Graph never answers an unknown id with an empty collection.
     */
    notFoundMeansGone?: boolean;
}

/** The import with this snapshotId: found, proven gone, or unknown (see the invariant above). */
export async function lookUpImport(
    api: SnapshotsApi,
    snapshotId: string,
    options: LookupOptions = {},
): Promise<ImportLookup> {
    const { client, routes } = api;
    let via: ReadFunction | undefined;
    const refused: unknown[] = [];
    try {
        const lookup = await routes.run(FAMILY, ROUTES, (fn) => {
            via = fn;
            return readBy(client, fn, snapshotId, options).catch((err: unknown) => {
                refused.push(err);
                throw err;
            });
        });
        // Name the answers that proved nothing too: their request ids are what support asks for.
        if (lookup.kind !== "unknown" || refused.length === 0) return lookup;
        return { kind: "unknown", why: `${lookup.why}; before that: ${refused.map(errorText).join("; ")}` };
    } catch (err) {
        if (err instanceof NoRouteError)
            return { kind: "unknown", why: `no read function answered (${errorText(err.cause)})` };
        // Only a proven function's errors reach here (route-fallback.ts).
        if (err instanceof GraphError && err.status === 404 && via) return fromProvenError(via, err, options);
        throw err;
    }
}

/**
 * Many ids at once, for a fleet: per-id reads of the plural function sent through Graph's JSON batching (20 per
 * request). Per-item answers follow the same invariant as lookUpImport. Where the plural is not (yet) proven and an
 * item's answer casts doubt on it, that id is looked up on its own, through the fallback order.
 */
export async function lookUpImports(
    api: SnapshotsApi,
    ids: readonly string[],
    options: LookupOptions = {},
): Promise<Map<string, ImportLookup>> {
    const { client, routes } = api;
    const out = new Map<string, ImportLookup>();
    const plural = "retrieveSnapshotImportResults";
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (unique.length <= 1 || routes.isDoubted(FAMILY, plural)) {
        for (const id of unique) out.set(id, await lookUpImport(api, id, options));
        return out;
    }
    const answers = await batchGet(
        client,
        plural,
        unique.map((id, i) => ({ id: String(i), path: readPath(plural, id) })),
    );
    if ([...answers.values()].some((a) => a.ok)) routes.markProven(FAMILY, plural);
    const alone: string[] = [];
    unique.forEach((id, i) => {
        const answer = answers.get(String(i))!;
        if (answer.ok) {
            out.set(id, lookupFromBody(plural, answer.body, id));
        } else if (routes.isProven(FAMILY, plural)) {
            out.set(id, fromProvenError(plural, answer.error, options));
        } else if (answer.error.status === 404 && options.notFoundMeansGone) {
            out.set(id, { kind: "gone" }); // the user accepts the plural's 404 (see LookupOptions)
        } else {
            alone.push(id);
        }
    });
    // Unproven and refused: learn through the fallback order, one id at a time (rare: once per process at most).
    for (const id of alone) out.set(id, await lookUpImport(api, id, options));
    return out;
}

/** What an error of a proven function establishes: nothing, unless the user accepts its 404 as "gone". */
function fromProvenError(fn: ReadFunction, err: GraphError, options: LookupOptions): ImportLookup {
    if (err.status === 404 && options.notFoundMeansGone) return { kind: "gone" };
    return { kind: "unknown", why: `${fn} answered: ${errorText(err)}` };
}

/** The record, or undefined when it is proven gone; throws UnknownImportError when Graph's answers prove nothing. */
export async function getImportResult(
    api: SnapshotsApi,
    snapshotId: string,
    options: LookupOptions = {},
): Promise<ImportRecord | undefined> {
    const lookup = await lookUpImport(api, snapshotId, options);
    if (lookup.kind === "unknown") throw new UnknownImportError(snapshotId, lookup.why);
    return lookup.kind === "found" ? lookup.record : undefined;
}

/** Graph's answers neither show the import nor prove it gone. */
export class UnknownImportError extends Error {
    constructor(
        readonly snapshotId: string,
        readonly why: string,
    ) {
        super(`Graph's answers neither show imported snapshot ${snapshotId} nor prove it gone: ${why}`);
        this.name = "UnknownImportError";
    }
}

/** Every import record of the tenant, through the seed's list function; NoRouteError where Graph has none. */
export async function listImportResults(api: SnapshotsApi): Promise<ImportRecord[]> {
    const { client, routes } = api;
    return routes.run(FAMILY, LIST, (fn) => client.listAll<ImportRecord>(`${SNAPSHOTS}/${fn}`, fn));
}

/** False once the list function failed in a way that may mean Graph has none (and it never answered 2xx). */
export function canListImportResults(api: SnapshotsApi): boolean {
    return !api.routes.isDoubted(FAMILY, "listSnapshotImportResults");
}

/** True once this function answered 2xx in this process. */
export function isProvenReadFunction(api: SnapshotsApi, fn: ReadFunction): boolean {
    return api.routes.isProven(FAMILY, fn);
}

/** The request path of a per-id read with `fn` (plural or singular). */
export function readPath(fn: Exclude<ReadFunction, "listSnapshotImportResults">, snapshotId: string): string {
    return `${SNAPSHOTS}/${fn}(snapshotId=${odataString(snapshotId)})`;
}

/** What one 2xx answer of a per-id function establishes about `snapshotId`. */
export function lookupFromBody(fn: ReadFunction, body: unknown, snapshotId: string): ImportLookup {
    const record = pick(body, snapshotId);
    if (record) return { kind: "found", record };
    // Only the plural's collection is a statement about this id; a singular's odd body is not.
    if (fn === "retrieveSnapshotImportResults" && isCollection(body)) return { kind: "gone" };
    return { kind: "unknown", why: `${fn} answered without the record` };
}

async function readBy(
    client: GraphClient,
    fn: ReadFunction,
    snapshotId: string,
    options: LookupOptions,
): Promise<ImportLookup> {
    if (fn === "listSnapshotImportResults") {
        for await (const page of client.pages<ImportRecord>(`${SNAPSHOTS}/${fn}`, fn)) {
            const hit = page.find((r) => sameId(r.snapshotId, snapshotId));
            if (hit) return { kind: "found", record: hit };
        }
        // A pass over offset paging can skip a live record: a miss proves nothing.
        return { kind: "unknown", why: "a listSnapshotImportResults pass did not show it" };
    }
    const path = readPath(fn, snapshotId);
    if (fn === "retrieveSnapshotImportResult") {
        const res = await client.request<unknown>({ method: "GET", path, operation: fn });
        return lookupFromBody(fn, res.body, snapshotId);
    }
    const records: ImportRecord[] = [];
    try {
        for await (const page of client.pages<ImportRecord>(path, fn)) records.push(...page);
    } catch (err) {
        // The user accepts the plural's 404 as "gone" (LookupOptions): even before it answered 2xx here.
        if (err instanceof GraphError && err.status === 404 && options.notFoundMeansGone) return { kind: "gone" };
        throw err;
    }
    return lookupFromBody(fn, { value: records }, snapshotId);
}

function isCollection(body: unknown): boolean {
    return !!body && typeof body === "object" && Array.isArray((body as ODataCollection<unknown>).value);
}

/** Accepts both shapes (contract open question 2): a bare object, or a collection holding the record. */
function pick(body: unknown, snapshotId: string): ImportRecord | undefined {
    if (!body || typeof body !== "object") return undefined;
    const value = (body as ODataCollection<ImportRecord>).value;
    if (Array.isArray(value)) {
        return (
            value.find((r) => sameId(r.snapshotId, snapshotId)) ??
            (value.length === 1 && !value[0]!.snapshotId ? { ...value[0]!, snapshotId } : undefined)
        );
    }
    const record = body as ImportRecord;
    if (record.snapshotId === undefined || record.snapshotId === null) {
        // A bare object without an id is the record asked for only if it looks like one.
        return record.importStatus !== undefined ? { ...record, snapshotId } : undefined;
    }
    return sameId(record.snapshotId, snapshotId) ? record : undefined;
}

function sameId(a: unknown, b: string): boolean {
    return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
