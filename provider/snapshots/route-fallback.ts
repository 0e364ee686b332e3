// One mechanism for names Graph may or may not route (import-result functions, restore-point reads): try them in
// the contract's order and learn, per client (one RouteBook each), which ones exist.
//
// A route exists once it has answered 2xx in this process. Nothing else proves anything: Graph's error guidance
// says not to branch on `message`, and what it answers for a name it does not route is undocumented (a bare 404
// when the name is taken as a key, a 400 when it has parentheses). So an error from a route not yet proven only
// moves on to the next one (and puts that route last for later calls); an error from a proven route is real and
// passes through.
import { GraphError } from "../graph/errors";

export interface FallbackRoute<N extends string> {
    name: N;
    /** The path segment that names the route (kept for messages). */
    segment?: string;
}

interface Family {
    /** Routes that answered 2xx. */
    proven: Set<string>;
    /** Routes whose last answer was an error that may mean Graph does not route them. */
    doubted: Set<string>;
}

/** What one client learned of Graph's routes, per family of routes. One per client (snapshots/api.ts). */
export class RouteBook {
    private readonly families = new Map<string, Family>();

    private family(name: string): Family {
        let f = this.families.get(name);
        if (!f) this.families.set(name, (f = { proven: new Set(), doubted: new Set() }));
        return f;
    }

    /** True once `name` answered 2xx. */
    isProven(family: string, name: string): boolean {
        return this.family(family).proven.has(name);
    }

    /** Records a 2xx answer of `name` (also one that came by another path, e.g. a batch item). */
    markProven(family: string, name: string): void {
        const f = this.family(family);
        f.proven.add(name);
        f.doubted.delete(name);
    }

    /** True while `name`'s last answer was an error that may mean Graph does not route it (and it is not proven). */
    isDoubted(family: string, name: string): boolean {
        const f = this.family(family);
        return f.doubted.has(name) && !f.proven.has(name);
    }

    /** Routes of `family` whose last answer cast doubt on them (diagnostics, tests). */
    missing(family: string): string[] {
        const f = this.family(family);
        return [...f.doubted].filter((name) => !f.proven.has(name));
    }

    /**
     * Runs `call` with the routes of `order`, in that order but with doubted ones last. Transient, auth and
     * throttling errors pass through at once; so does any error of a proven route.
     */
    async run<N extends string, T>(
        family: string,
        order: readonly FallbackRoute<N>[],
        call: (name: N) => Promise<T>,
    ): Promise<T> {
        const f = this.family(family);
        // The contract's order stands (the plural first, even where the list is proven): only doubted routes move last.
        const rank = (r: FallbackRoute<N>) => (this.isDoubted(family, r.name) ? 1 : 0);
        const ranked = [...order].sort((a, b) => rank(a) - rank(b));
        let lastError: unknown;
        for (const route of ranked) {
            try {
                const result = await call(route.name);
                this.markProven(family, route.name);
                return result;
            } catch (err) {
                if (f.proven.has(route.name) || !mayMeanNoRoute(err)) throw err;
                f.doubted.add(route.name);
                lastError = err;
            }
        }
        throw new NoRouteError(
            family,
            order.map((r) => r.name),
            lastError,
        );
    }
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
