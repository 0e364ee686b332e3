// Fault injection: rules consumed by matching requests, so tests can script "the next import times out" etc.,
// and a seeded random mode (setRandom) that faults a share of all Graph requests, for soak tests.
import { isRecord } from "./tokens";

export interface FaultRule {
    /** Route key as in stats ("POST importSnapshot") or a substring of the path; undefined = any Graph route. */
    route?: string;
    method?: string;
    /** How many matching requests it affects; default 1. */
    times?: number;
    /** Answer with this status and a Graph error body; the handler does not run (unless `actFirst`). */
    status?: number;
    /** With `status`: the handler acts first (state changes), then `status` is answered instead of its result, as a
     * gateway that failed after the backend acted (500/502/504 to an importSnapshot that did import). */
    actFirst?: boolean;
    /** Retry-After header value, e.g. "1" or "0.2". */
    retryAfter?: string;
    /** Graph error code; default derived from status. */
    code?: string;
    /** "before": reset the connection without acting; "after": act (state changes), then reset the connection. */
    drop?: "before" | "after";
    /** Delay the response by this many ms (the handler acts first; a `status` answer is delayed too). */
    delayMs?: number;
    /** Answer 200 with a broken JSON body after acting. */
    body?: "truncated" | "malformed";
    /** Collection answers carry an @odata.nextLink that points to the same page forever. */
    loopNextLink?: boolean;
    /**
     * listSnapshotImportResults leaves out the import with this snapshotId, as a pass over Graph's offset paging does
     * when a record on an earlier page is purged mid-pass. The record itself stays (reads by id still find it).
     */
    skipSnapshotId?: string;
    /** The client's token expires now: every token issued so far is revoked and this request gets 401 without acting. */
    expireToken?: boolean;
}

export interface FaultInjector {
    add(rule: FaultRule): void;
    /** Drops every rule and stops the random mode. */
    clear(): void;
    /** Number of rules not yet used up. */
    pending(): number;
    /** Faults a random share of Graph requests from now on (null: stop); resets the random counters. */
    setRandom(config: RandomFaults | null): void;
    /** The random mode's settings and counters; null when it is off. */
    randomStats(): RandomFaultStats | null;
}

/** What the random mode can do to a request; each maps to a FaultRule (see ruleForKind). */
export const RANDOM_FAULT_KINDS = [
    "429",
    "500",
    "502",
    "503",
    "504",
    "gatewayAfterActing",
    "dropBefore",
    "dropAfter",
    "slow",
    "malformed",
    "truncated",
    "tokenExpired",
] as const;
export type RandomFaultKind = (typeof RANDOM_FAULT_KINDS)[number];

export interface RandomFaults {
    /** Share of Graph requests to fault, 0..1. */
    rate: number;
    /** PRNG seed (default 1): the same seed and request order give the same faults. */
    seed?: number;
    /** Kinds drawn from, uniformly (default: all). */
    kinds?: RandomFaultKind[];
    /** Retry-After on injected 429s (default "0.1" seconds). */
    retryAfter?: string;
    /** Delay of "slow" answers (default 250 ms; the request is carried out first). */
    slowMs?: number;
    /** Only requests this matches, like FaultRule.route (default: every Graph route). */
    route?: string;
}

export interface RandomFaultStats {
    rate: number;
    seed: number;
    kinds: RandomFaultKind[];
    /** Graph requests the random mode looked at (those not taken by a scripted rule). */
    considered: number;
    injected: number;
    byKind: Partial<Record<RandomFaultKind, number>>;
}

/** What a request looks like to the matcher. */
export interface FaultTarget {
    routeKey: string;
    method: string;
    path: string;
    /** Graph route (true) or authority route (false). Rules without `route` only hit Graph routes. */
    graph: boolean;
}

const RULE_KEYS = new Set([
    "route",
    "method",
    "times",
    "status",
    "actFirst",
    "retryAfter",
    "code",
    "drop",
    "delayMs",
    "body",
    "loopNextLink",
    "skipSnapshotId",
    "expireToken",
]);

/** Validates a rule from code or JSON (POST /_emulator/faults); throws TypeError with a readable message. */
export function parseFaultRule(value: unknown): FaultRule {
    if (!isRecord(value)) throw new TypeError("a fault rule must be an object");
    for (const key of Object.keys(value))
        if (!RULE_KEYS.has(key)) throw new TypeError(`unknown fault rule field '${key}'`);
    const rule: FaultRule = {};
    const str = (key: string): string | undefined => {
        const v = value[key];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "string" || v === "") throw new TypeError(`fault rule '${key}' must be a non-empty string`);
        return v;
    };
    const route = str("route");
    const method = str("method");
    const retryAfter = str("retryAfter");
    const code = str("code");
    if (route !== undefined) rule.route = route;
    if (method !== undefined) rule.method = method.toUpperCase();
    if (retryAfter !== undefined) rule.retryAfter = retryAfter;
    if (code !== undefined) rule.code = code;
    const times = value["times"];
    if (times !== undefined) {
        if (typeof times !== "number" || !Number.isInteger(times) || times < 1)
            throw new TypeError("fault rule 'times' must be an integer >= 1");
        rule.times = times;
    }
    const status = value["status"];
    if (status !== undefined) {
        if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
            throw new TypeError("fault rule 'status' must be an HTTP error status (400-599)");
        rule.status = status;
    }
    const drop = value["drop"];
    if (drop !== undefined) {
        if (drop !== "before" && drop !== "after")
            throw new TypeError('fault rule \'drop\' must be "before" or "after"');
        rule.drop = drop;
    }
    const delayMs = value["delayMs"];
    if (delayMs !== undefined) {
        if (typeof delayMs !== "number" || !(delayMs >= 0))
            throw new TypeError("fault rule 'delayMs' must be a number >= 0");
        rule.delayMs = delayMs;
    }
    const body = value["body"];
    if (body !== undefined) {
        if (body !== "truncated" && body !== "malformed")
            throw new TypeError('fault rule \'body\' must be "truncated" or "malformed"');
        rule.body = body;
    }
    const loop = value["loopNextLink"];
    if (loop !== undefined) {
        if (typeof loop !== "boolean") throw new TypeError("fault rule 'loopNextLink' must be a boolean");
        if (loop) rule.loopNextLink = true;
    }
    const skip = value["skipSnapshotId"];
    if (skip !== undefined) {
        if (typeof skip !== "string" || skip === "")
            throw new TypeError("fault rule 'skipSnapshotId' must be a snapshot id");
        rule.skipSnapshotId = skip;
    }
    const expire = value["expireToken"];
    if (expire !== undefined) {
        if (typeof expire !== "boolean") throw new TypeError("fault rule 'expireToken' must be a boolean");
        if (expire) rule.expireToken = true;
    }
    const actFirst = value["actFirst"];
    if (actFirst !== undefined) {
        if (typeof actFirst !== "boolean") throw new TypeError("fault rule 'actFirst' must be a boolean");
        if (actFirst && rule.status === undefined) throw new TypeError("fault rule 'actFirst' needs a 'status'");
        if (actFirst) rule.actFirst = true;
    }
    if (rule.status !== undefined && (rule.drop !== undefined || rule.body !== undefined)) {
        throw new TypeError("fault rule: 'status' cannot be combined with 'drop' or 'body'");
    }
    if (rule.expireToken && (rule.status !== undefined || rule.drop !== undefined || rule.body !== undefined)) {
        throw new TypeError("fault rule: 'expireToken' cannot be combined with 'status', 'drop' or 'body'");
    }
    return rule;
}

/** Validates a random-mode configuration from code or JSON (POST /_emulator/faults/random). */
export function parseRandomFaults(value: unknown): RandomFaults {
    if (!isRecord(value)) throw new TypeError("random faults must be an object");
    const known = new Set(["rate", "seed", "kinds", "retryAfter", "slowMs", "route"]);
    for (const key of Object.keys(value))
        if (!known.has(key)) throw new TypeError(`unknown random faults field '${key}'`);
    const { rate, seed, kinds, retryAfter, slowMs, route } = value;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1))
        throw new TypeError("random faults 'rate' must be a number from 0 to 1");
    const out: RandomFaults = { rate };
    if (seed !== undefined) {
        if (typeof seed !== "number" || !Number.isInteger(seed))
            throw new TypeError("random faults 'seed' must be an integer");
        out.seed = seed;
    }
    if (kinds !== undefined) {
        if (!Array.isArray(kinds) || kinds.length === 0)
            throw new TypeError("random faults 'kinds' must be a non-empty array");
        for (const k of kinds) {
            if (!(RANDOM_FAULT_KINDS as readonly unknown[]).includes(k)) {
                throw new TypeError(
                    `random faults: unknown kind '${String(k)}' (known: ${RANDOM_FAULT_KINDS.join(", ")})`,
                );
            }
        }
        out.kinds = [...(kinds as RandomFaultKind[])];
    }
    if (retryAfter !== undefined) {
        if (typeof retryAfter !== "string" || retryAfter === "")
            throw new TypeError("random faults 'retryAfter' must be a non-empty string");
        out.retryAfter = retryAfter;
    }
    if (slowMs !== undefined) {
        if (typeof slowMs !== "number" || !(slowMs >= 0))
            throw new TypeError("random faults 'slowMs' must be a number >= 0");
        out.slowMs = slowMs;
    }
    if (route !== undefined) {
        if (typeof route !== "string" || route === "")
            throw new TypeError("random faults 'route' must be a non-empty string");
        out.route = route;
    }
    return out;
}

/** The rule a random fault of this kind applies. */
export function ruleForKind(
    kind: RandomFaultKind,
    config: Pick<RandomFaults, "retryAfter" | "slowMs"> = {},
): FaultRule {
    switch (kind) {
        case "429":
            return { status: 429, retryAfter: config.retryAfter ?? "0.1" };
        case "500":
        case "502":
        case "503":
        case "504":
            return { status: Number(kind) };
        case "gatewayAfterActing":
            return { status: 502, actFirst: true };
        case "dropBefore":
            return { drop: "before" };
        case "dropAfter":
            return { drop: "after" };
        case "slow":
            return { delayMs: config.slowMs ?? 250 };
        case "malformed":
            return { body: "malformed" };
        case "truncated":
            return { body: "truncated" };
        case "tokenExpired":
            return { expireToken: true };
    }
}

/** mulberry32: small, fast, good enough to spread faults; deterministic for a seed (the soak uses it too). */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

class RandomFaultSource {
    private readonly next: () => number;
    readonly stats: RandomFaultStats;

    constructor(private readonly config: RandomFaults) {
        const seed = config.seed ?? 1;
        this.next = prng(seed);
        this.stats = {
            rate: config.rate,
            seed,
            kinds: [...(config.kinds ?? RANDOM_FAULT_KINDS)],
            considered: 0,
            injected: 0,
            byKind: {},
        };
    }

    /** Two draws per request (whether, then which), so the kind list does not shift the fault/no-fault sequence. */
    draw(target: FaultTarget): FaultRule | undefined {
        if (this.config.route !== undefined ? !ruleMatches({ route: this.config.route }, target) : !target.graph)
            return undefined;
        this.stats.considered++;
        const hit = this.next() < this.config.rate;
        const pick = this.next();
        if (!hit) return undefined;
        const kinds = this.stats.kinds;
        const kind = kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))]!;
        this.stats.injected++;
        this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
        return ruleForKind(kind, this.config);
    }
}

export function ruleMatches(rule: FaultRule, target: FaultTarget): boolean {
    if (rule.method !== undefined && rule.method !== target.method.toUpperCase()) return false;
    if (rule.route === undefined) return target.graph;
    const wanted = rule.route.toLowerCase();
    // Exact route key, the key's name part ("importSnapshot"), or any substring of the path.
    return target.routeKey.toLowerCase() === wanted || target.path.toLowerCase().includes(wanted);
}

export class FaultQueue implements FaultInjector {
    private rules: Array<{ rule: FaultRule; left: number }> = [];
    private random: RandomFaultSource | undefined;

    add(rule: FaultRule): void {
        const parsed = parseFaultRule(rule);
        this.rules.push({ rule: parsed, left: parsed.times ?? 1 });
    }

    clear(): void {
        this.rules = [];
        this.random = undefined;
    }

    pending(): number {
        return this.rules.length;
    }

    setRandom(config: RandomFaults | null): void {
        this.random = config === null ? undefined : new RandomFaultSource(parseRandomFaults(config));
    }

    randomStats(): RandomFaultStats | null {
        return this.random ? structuredClone(this.random.stats) : null;
    }

    /** The first matching rule (in the order added), used up by one; else a random fault, if drawn; else undefined. */
    take(target: FaultTarget): FaultRule | undefined {
        const index = this.rules.findIndex((r) => ruleMatches(r.rule, target));
        if (index < 0) return this.random?.draw(target);
        const entry = this.rules[index]!;
        entry.left -= 1;
        if (entry.left <= 0) this.rules.splice(index, 1);
        return entry.rule;
    }
}
