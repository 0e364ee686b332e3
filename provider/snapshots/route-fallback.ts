// "Current name first, fallback when Graph says it does not exist" (the contract's decision for names that moved),
// for any family of routes. Which routes Graph lacks is remembered once per process and client, so later calls go
// straight to one that works; remembered ones are asked again only when every other route failed, so a deployment
// that gained a route meanwhile does not stay unusable for the rest of the process.
import type { GraphClient } from "../graph/client";
import { isMissingFunction } from "./import-results";

export interface FallbackRoute<N extends string> {
    name: N;
    /** The path segment Graph names when it does not know the route ("Resource not found for the segment '...'"). */
    segment: string;
}

const missing = new WeakMap<GraphClient, Map<string, Set<string>>>();

function missingFor(client: GraphClient, family: string): Set<string> {
    let families = missing.get(client);
    if (!families) missing.set(client, (families = new Map()));
    let set = families.get(family);
    if (!set) families.set(family, (set = new Set()));
    return set;
}

/** Graph answered that none of the routes tried exists (in this cloud, tenant or API version). */
export class NoRouteError extends Error {
    constructor(readonly family: string, readonly routes: readonly string[], override readonly cause?: unknown) {
        super(`Graph offers none of the ${family} routes (${routes.join(", ")}); the API may not be available in this cloud or tenant.` +
            (cause instanceof Error ? ` Last answer: ${cause.message}` : ""));
        this.name = "NoRouteError";
    }
}

/** Runs `call` with the first route of `order` that Graph has. Errors other than "does not exist" pass through. */
export async function withRouteFallback<N extends string, T>(
    client: GraphClient, family: string, order: readonly FallbackRoute<N>[], call: (name: N) => Promise<T>,
): Promise<T> {
    const known = missingFor(client, family);
    const rounds = [order.filter((r) => !known.has(r.name)), order.filter((r) => known.has(r.name))];
    let lastError: unknown;
    for (const route of rounds.flat()) {
        try {
            const result = await call(route.name);
            known.delete(route.name);
            return result;
        } catch (err) {
            if (!isMissingFunction(err, route.segment)) throw err;
            known.add(route.name);
            lastError = err;
        }
    }
    throw new NoRouteError(family, order.map((r) => r.name), lastError);
}

/** Routes of `family` Graph said it lacks, for this client (tests, diagnostics). */
export function missingRoutes(client: GraphClient, family: string): string[] {
    return [...missingFor(client, family)];
}
