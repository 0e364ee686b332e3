// Reading import records. The sources disagree on the function (contract I-2, I-3): the reference's
// retrieveSnapshotImportResult(snapshotId=) returns one object, the SDKs' retrieveSnapshotImportResults(snapshotId=)
// a paged collection, and the seed's listSnapshotImportResults every record. We try them in that order and remember,
// once per process and client, which names Graph says do not exist.
import { GraphError } from "../graph/errors";
import type { GraphClient } from "../graph/client";
import { odataString, SNAPSHOTS } from "./paths";
import type { CloudPcSnapshotImportActionResult, ODataCollection } from "./types";

export type ReadFunction = "retrieveSnapshotImportResult" | "retrieveSnapshotImportResults" | "listSnapshotImportResults";
export const READ_FUNCTIONS: readonly ReadFunction[] = ["retrieveSnapshotImportResult", "retrieveSnapshotImportResults", "listSnapshotImportResults"];

/** Which read functions Graph answered "does not exist" for, per client (one per process and endpoint). */
const missing = new WeakMap<GraphClient, Set<ReadFunction>>();

/** Graph's answer for a function it does not know: 400 (or 404) "Resource not found for the segment '<name>'". */
export function isMissingFunction(err: unknown, name: string): boolean {
    if (!(err instanceof GraphError)) return false;
    if (err.status !== 400 && err.status !== 404 && err.status !== 501) return false;
    const text = `${err.code} ${err.graphMessage}`.toLowerCase();
    return text.includes("segment") && text.includes(name.toLowerCase()) || err.status === 501;
}

function missingFor(client: GraphClient): Set<ReadFunction> {
    let set = missing.get(client);
    if (!set) missing.set(client, (set = new Set()));
    return set;
}

/** Runs `call` with the first read function Graph has, falling back past the ones it does not. */
async function withFallback<T>(client: GraphClient, order: readonly ReadFunction[], call: (fn: ReadFunction) => Promise<T>): Promise<T> {
    const known = missingFor(client);
    // Functions remembered as missing are skipped; only when every other one fails are they asked again, so a
    // deployment that gained a function since does not stay unusable for the rest of the process.
    const rounds = [order.filter((fn) => !known.has(fn)), order.filter((fn) => known.has(fn))];
    let lastError: unknown;
    for (const fn of rounds.flat()) {
        try {
            const result = await call(fn);
            known.delete(fn);
            return result;
        } catch (err) {
            if (!isMissingFunction(err, fn)) throw err;
            known.add(fn);
            lastError = err;
        }
    }
    throw new MissingFunctionsError(order, lastError);
}

/** Graph answered that none of the functions tried exists (in this cloud, tenant or API version). */
export class MissingFunctionsError extends Error {
    constructor(readonly functions: readonly string[], cause: unknown) {
        super(`Graph offers none of the import-result functions (${functions.join(", ")}); ` +
            `the snapshot import API may not be available in this cloud or tenant.` +
            (cause instanceof Error ? ` Last answer: ${cause.message}` : ""));
        this.name = "MissingFunctionsError";
    }
}

/** False once Graph said listSnapshotImportResults does not exist (then only per-id reads are possible). */
export function canListImportResults(client: GraphClient): boolean {
    return !missingFor(client).has("listSnapshotImportResults");
}

/** One import record by its snapshotId, or undefined when Graph has no such record. */
export async function getImportResult(client: GraphClient, snapshotId: string): Promise<CloudPcSnapshotImportActionResult | undefined> {
    return withFallback(client, READ_FUNCTIONS, async (fn) => {
        const id = odataString(snapshotId);
        if (fn === "retrieveSnapshotImportResult") {
            try {
                const res = await client.request<CloudPcSnapshotImportActionResult | ODataCollection<CloudPcSnapshotImportActionResult>>({
                    method: "GET", path: `${SNAPSHOTS}/${fn}(snapshotId=${id})`, operation: fn,
                });
                return pick(res.body, snapshotId);
            } catch (err) {
                if (err instanceof GraphError && err.status === 404 && !isMissingFunction(err, fn)) return undefined;
                throw err;
            }
        }
        if (fn === "retrieveSnapshotImportResults") {
            for await (const page of client.pages<CloudPcSnapshotImportActionResult>(`${SNAPSHOTS}/${fn}(snapshotId=${id})`, fn)) {
                const hit = pick({ value: page }, snapshotId);
                if (hit) return hit;
            }
            return undefined;
        }
        for await (const page of client.pages<CloudPcSnapshotImportActionResult>(`${SNAPSHOTS}/${fn}`, fn)) {
            const hit = page.find((r) => sameId(r.snapshotId, snapshotId));
            if (hit) return hit;
        }
        return undefined;
    });
}

/** Every import record of the tenant. Only listSnapshotImportResults enumerates; without it this throws. */
export async function listImportResults(client: GraphClient): Promise<CloudPcSnapshotImportActionResult[]> {
    return withFallback(client, ["listSnapshotImportResults"], (fn) =>
        client.listAll<CloudPcSnapshotImportActionResult>(`${SNAPSHOTS}/${fn}`, fn));
}

/** Accepts both shapes (contract open question 2): a bare object, or a collection holding the record. */
function pick(body: unknown, snapshotId: string): CloudPcSnapshotImportActionResult | undefined {
    if (!body || typeof body !== "object") return undefined;
    const value = (body as ODataCollection<CloudPcSnapshotImportActionResult>).value;
    if (Array.isArray(value)) return value.find((r) => sameId(r.snapshotId, snapshotId)) ?? (value.length === 1 && !value[0].snapshotId ? value[0] : undefined);
    const record = body as CloudPcSnapshotImportActionResult;
    return record.snapshotId === undefined || record.snapshotId === null || sameId(record.snapshotId, snapshotId)
        ? { ...record, snapshotId: record.snapshotId ?? snapshotId } : undefined;
}

function sameId(a: unknown, b: string): boolean {
    return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}
