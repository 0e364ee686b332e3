// The slice of OData that these endpoints use: function-call segments, server-driven paging, $top/$skip/$count,
// a simple $filter and $select.
import { GraphError } from "./errors";

export interface Segment {
    /** Decoded segment text. */
    raw: string;
    /** Name without the parameter list. */
    name: string;
    /** Function parameters when the segment is a call like `f(a='x')`; undefined when there are no parentheses. */
    args: Map<string, string> | undefined;
}

/** Splits `name(k='v',k2='v2')`; string literals are single-quoted with '' as the escape, as OData requires. */
export function parseSegment(raw: string): Segment {
    const open = raw.indexOf("(");
    if (open < 0 || !raw.endsWith(")")) return { raw, name: raw, args: undefined };
    const name = raw.slice(0, open);
    const inner = raw.slice(open + 1, -1);
    const args = new Map<string, string>();
    let i = 0;
    const fail = (): never => {
        throw new GraphError(
            400,
            `Syntax error in the parameters of segment '${name}': expected name='value' pairs.`,
            "BadRequest",
        );
    };
    while (i < inner.length) {
        const eq = inner.indexOf("=", i);
        if (eq < 0) fail();
        const key = inner.slice(i, eq).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail();
        i = eq + 1;
        while (inner[i] === " ") i++;
        if (inner[i] !== "'") {
            throw new GraphError(
                400,
                `The parameter '${key}' of '${name}' must be a string literal in single quotes, e.g. ${key}='value'.`,
                "BadRequest",
            );
        }
        i++;
        let value = "";
        for (;;) {
            if (i >= inner.length) fail();
            const ch = inner[i]!;
            if (ch === "'") {
                if (inner[i + 1] === "'") {
                    value += "'";
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            value += ch;
            i++;
        }
        args.set(key, value);
        while (inner[i] === " ") i++;
        if (i < inner.length) {
            if (inner[i] !== ",") fail();
            i++;
        }
    }
    return { raw, name, args };
}

/** Splits a URL path into decoded segments; malformed percent-encoding is a 400 like Graph's. */
export function pathSegments(pathname: string): Segment[] {
    return pathname
        .split("/")
        .filter((s) => s !== "")
        .map((s) => {
            let decoded: string;
            try {
                decoded = decodeURIComponent(s);
            } catch {
                throw new GraphError(400, `The URL segment '${s}' is not correctly percent-encoded.`, "BadRequest");
            }
            return parseSegment(decoded);
        });
}

interface SkipToken {
    /** offset of the page */
    o: number;
    /** set by the loopNextLink fault: keep answering this page with a link to itself */
    l?: 1;
}

function encodeSkipToken(t: SkipToken): string {
    return Buffer.from(JSON.stringify(t)).toString("base64url");
}

function decodeSkipToken(value: string): SkipToken {
    try {
        const t: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
        if (typeof t === "object" && t !== null && Number.isInteger((t as SkipToken).o) && (t as SkipToken).o >= 0)
            return t as SkipToken;
    } catch {
        // fall through
    }
    throw new GraphError(
        400,
        "The $skiptoken value is invalid. Request @odata.nextLink exactly as returned.",
        "BadRequest",
    );
}

function nonNegativeInt(url: URL, name: string): number | undefined {
    const value = url.searchParams.get(name);
    if (value === null) return undefined;
    if (!/^\d+$/.test(value))
        throw new GraphError(400, `Invalid value '${value}' for query option '${name}'.`, "BadRequest");
    return Number(value);
}

/** `prop eq 'value'` clauses joined by `and`; enough for the filters clients use on these collections. */
function filterItems<T>(items: T[], expression: string): T[] {
    const clauses = expression.split(/\s+and\s+/i);
    const tests = clauses.map((clause) => {
        const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s+eq\s+(?:'((?:[^']|'')*)'|(null))\s*$/i.exec(clause);
        if (!m)
            throw new GraphError(
                400,
                `Invalid filter clause: '${clause}'. The emulator supports: property eq 'value' [and ...].`,
                "BadRequest",
            );
        const [, prop, str, isNull] = m;
        const wanted = isNull ? null : str!.replace(/''/g, "'");
        return (item: T): boolean => {
            const actual = (item as Record<string, unknown>)[prop!] ?? null;
            if (wanted === null) return actual === null;
            return typeof actual === "string" && actual.toLowerCase() === wanted.toLowerCase();
        };
    });
    return items.filter((item) => tests.every((t) => t(item)));
}

/** Keeps only the $select-ed properties (plus OData annotations). */
export function applySelect<T extends object>(item: T, url: URL): T {
    const select = url.searchParams.get("$select");
    if (!select) return item;
    const keep = new Set(
        select
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );
    return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k) || k.startsWith("@odata."))) as T;
}

export interface PageOptions {
    /** Absolute origin used in @odata.nextLink. */
    origin: string;
    pageSize: number;
    /** loopNextLink fault: the answer links back to itself. */
    loop: boolean;
    select: boolean;
}

export interface Page<T> {
    body: { "@odata.context": string; "@odata.count"?: number; "@odata.nextLink"?: string; value: T[] };
    items: number;
}

/**
 * One page of `items` for the request `url`. The nextLink is absolute, keeps every original query option and
 * carries an opaque $skiptoken (Graph's paging contract: request it verbatim).
 */
export function paginate<T extends object>(all: T[], url: URL, context: string, opts: PageOptions): Page<T> {
    const filter = url.searchParams.get("$filter");
    const items = filter ? filterItems(all, filter) : all;
    const rawToken = url.searchParams.get("$skiptoken");
    const token = rawToken === null ? undefined : decodeSkipToken(rawToken);
    const top = nonNegativeInt(url, "$top");
    const skip = nonNegativeInt(url, "$skip") ?? 0;
    // $top acts as the page size, clamped to the server's page size (Graph allows clamping).
    const size = Math.max(1, Math.min(top ?? opts.pageSize, opts.pageSize));
    const offset = token ? token.o : skip;
    // With $top the whole result stops after skip + top items, however many pages that takes.
    const limit = top === undefined ? items.length : Math.min(items.length, skip + top);
    const end = Math.min(offset + size, limit);
    const value = items.slice(offset, end).map((i) => (opts.select ? applySelect(i, url) : i));
    const count = !token && url.searchParams.get("$count")?.toLowerCase() === "true" ? items.length : undefined;
    const looping = opts.loop || token?.l === 1;
    const link = looping
        ? nextLink(url, opts.origin, { o: offset, l: 1 })
        : end < limit
          ? nextLink(url, opts.origin, { o: end })
          : undefined;
    // Annotations first, items last, as Graph writes them.
    const body: Page<T>["body"] = {
        "@odata.context": context,
        ...(count !== undefined ? { "@odata.count": count } : {}),
        ...(link !== undefined ? { "@odata.nextLink": link } : {}),
        value,
    };
    return { body, items: value.length };
}

function nextLink(url: URL, origin: string, token: SkipToken): string {
    // Keep the original (still encoded) query parts so the link is the request plus a new token, nothing else.
    const parts = url.search
        .replace(/^\?/, "")
        .split("&")
        .filter((p) => p !== "" && safeDecode(p.split("=")[0] ?? "") !== "$skiptoken");
    parts.push(`$skiptoken=${encodeSkipToken(token)}`);
    return `${origin}${url.pathname}?${parts.join("&")}`;
}

function safeDecode(s: string): string {
    try {
        return decodeURIComponent(s);
    } catch {
        return s;
    }
}
