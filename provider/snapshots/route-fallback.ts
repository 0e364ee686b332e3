// One mechanism for names Graph may or may not route (import-result functions, restore-point reads): try them in
// the contract's order and learn, per client, which ones exist.
//
// A route exists once it has answered 2xx in this process. Nothing else proves anything: Graph's error guidance
// says not to branch on `message`, and what it answers for a name it does not route is undocumented (a bare 404
// when the name is taken as a key, a 400 when it has parentheses). So an error from a route not yet proven only
// moves on to the next one (and puts that route last for later calls); an error from a proven route is real and
// passes through.
import type { GraphClient } from "../graph/client";
import { GraphError } from "../graph/errors";

export interface FallbackRoute<N extends string> {
    name: N;
    /** The path segment that names the route (kept for messages). */
    segment?: string;
}

interface RouteBook {
    /** Routes that answered 2xx in this process. */
    proven: Set<string>;
    /** Routes whose last answer was an error that may mean Graph does not route them. */
    doubted: Set<string>;
}

const books = new WeakMap<GraphClient, Map<string, RouteBook>>();

function bookFor(client: GraphClient, family: string): RouteBook {
    let families = books.get(client);
    if (!families) books.set(client, (families = new Map()));
    let book = families.get(family);
    if (!book) families.set(family, (book = { proven: new Set(), doubted: new Set() }));
    return book;
}

/** Graph answered none of the routes tried with a 2xx (they may not exist in this cloud, tenant or API version). */
export class NoRouteError extends Error {
    constructor(
        readonly family: string,
        readonly routes: readonly string[],
        override readonly cause?: unknown,
    ) {
        super(
            `Graph answered none of the ${family} routes (${routes.join(", ")}) with success; the API may not be ` +
                `available in this cloud or tenant.` +
                (cause instanceof Error ? ` Last answer: ${cause.message}` : ""),
        );
        this.name = "NoRouteError";
    }
}

/** An answer that may mean "no such route" while the route is unproven: a 4xx other than auth and throttling, or 501. */
function mayMeanNoRoute(err: unknown): boolean {
    if (!(err instanceof GraphError)) return false;
    if (err.status === 501) return true;
    return err.status >= 400 && err.status < 500 && ![401, 403, 408, 429].includes(err.status);
}

/** True once `name` answered 2xx in this process. */
export function isProvenRoute(client: GraphClient, family: string, name: string): boolean {
    return bookFor(client, family).proven.has(name);
}

/** Records a 2xx answer of `name` that came by another path (a batch item). */
export function markProven(client: GraphClient, family: string, name: string): void {
    const book = bookFor(client, family);
    book.proven.add(name);
    book.doubted.delete(name);
}

/** True while `name`'s last answer was an error that may mean Graph does not route it (and it is not proven). */
export function isDoubtedRoute(client: GraphClient, family: string, name: string): boolean {
    const book = bookFor(client, family);
    return book.doubted.has(name) && !book.proven.has(name);
}

/**
 * Runs `call` with the routes of `order`, in that order but with doubted ones last. Transient, auth and throttling errors pass through at once; so does any error of a proven route.
 */
export async function withRouteFallback<N extends string, T>(
    client: GraphClient,
    family: string,
    order: readonly FallbackRoute<N>[],
    call: (name: N) => Promise<T>,
): Promise<T> {
    const book = bookFor(client, family);
    // The contract's order stands (the plural first, even where the list is proven): only doubted routes move last.
    const rank = (r: FallbackRoute<N>) => (isDoubtedRoute(client, family, r.name) ? 1 : 0);
    const ranked = [...order].sort((a, b) => rank(a) - rank(b));
    let lastError: unknown;
    for (const route of ranked) {
        try {
            const result = await call(route.name);
            book.proven.add(route.name);
            book.doubted.delete(route.name);
            return result;
        } catch (err) {
            if (book.proven.has(route.name) || !mayMeanNoRoute(err)) throw err;
            book.doubted.add(route.name);
            lastError = err;
        }
    }
    throw new NoRouteError(family, order.map((r) => r.name), lastError);
}

/** Routes of `family` whose last answer cast doubt on them, for this client (diagnostics, tests). */
export function missingRoutes(client: GraphClient, family: string): string[] {
    const book = bookFor(client, family);
    return [...book.doubted].filter((name) => !book.proven.has(name));
}
