// Fault injection: rules consumed by matching requests, so tests can script "the next import times out" etc.
import { isRecord } from "./tokens";

export interface FaultRule {
    /** Route key as in stats ("POST importSnapshot") or a substring of the path; undefined = any Graph route. */
    route?: string;
    method?: string;
    /** How many matching requests it affects; default 1. */
    times?: number;
    /** Answer with this status and a Graph error body; the handler does not run. */
    status?: number;
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
}

export interface FaultInjector {
    add(rule: FaultRule): void;
    clear(): void;
    /** Number of rules not yet used up. */
    pending(): number;
}

/** What a request looks like to the matcher. */
export interface FaultTarget {
    routeKey: string;
    method: string;
    path: string;
    /** Graph route (true) or authority route (false). Rules without `route` only hit Graph routes. */
    graph: boolean;
}

const RULE_KEYS = new Set(["route", "method", "times", "status", "retryAfter", "code", "drop", "delayMs", "body", "loopNextLink"]);

/** Validates a rule from code or JSON (POST /_emulator/faults); throws TypeError with a readable message. */
export function parseFaultRule(value: unknown): FaultRule {
    if (!isRecord(value)) throw new TypeError("a fault rule must be an object");
    for (const key of Object.keys(value)) if (!RULE_KEYS.has(key)) throw new TypeError(`unknown fault rule field '${key}'`);
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
        if (typeof times !== "number" || !Number.isInteger(times) || times < 1) throw new TypeError("fault rule 'times' must be an integer >= 1");
        rule.times = times;
    }
    const status = value["status"];
    if (status !== undefined) {
        if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599) throw new TypeError("fault rule 'status' must be an HTTP error status (400-599)");
        rule.status = status;
    }
    const drop = value["drop"];
    if (drop !== undefined) {
        if (drop !== "before" && drop !== "after") throw new TypeError("fault rule 'drop' must be \"before\" or \"after\"");
        rule.drop = drop;
    }
    const delayMs = value["delayMs"];
    if (delayMs !== undefined) {
        if (typeof delayMs !== "number" || !(delayMs >= 0)) throw new TypeError("fault rule 'delayMs' must be a number >= 0");
        rule.delayMs = delayMs;
    }
    const body = value["body"];
    if (body !== undefined) {
        if (body !== "truncated" && body !== "malformed") throw new TypeError("fault rule 'body' must be \"truncated\" or \"malformed\"");
        rule.body = body;
    }
    const loop = value["loopNextLink"];
    if (loop !== undefined) {
        if (typeof loop !== "boolean") throw new TypeError("fault rule 'loopNextLink' must be a boolean");
        if (loop) rule.loopNextLink = true;
    }
    if (rule.status !== undefined && (rule.drop !== undefined || rule.body !== undefined)) {
        throw new TypeError("fault rule: 'status' cannot be combined with 'drop' or 'body'");
    }
    return rule;
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

    add(rule: FaultRule): void {
        const parsed = parseFaultRule(rule);
        this.rules.push({ rule: parsed, left: parsed.times ?? 1 });
    }

    clear(): void {
        this.rules = [];
    }

    pending(): number {
        return this.rules.length;
    }

    /** The first matching rule (in the order added), used up by one; undefined when none matches. */
    take(target: FaultTarget): FaultRule | undefined {
        const index = this.rules.findIndex((r) => ruleMatches(r.rule, target));
        if (index < 0) return undefined;
        const entry = this.rules[index]!;
        entry.left -= 1;
        if (entry.left <= 0) this.rules.splice(index, 1);
        return entry.rule;
    }
}
