// The one reading of HTTPS_PROXY / HTTP_PROXY / NO_PROXY for every outbound request of the provider (Graph, Entra
// tokens, the runner's ID tokens, storage reads). undici, @azure/core-rest-pipeline and curl each read these
// variables their own way (which case wins, `*`, ports, subdomains), so without one reader a token request could go
// through the proxy while the Graph request beside it went direct.
//
// Rules (the README's "Behind a proxy" says the same):
// - Case: the lower-case name wins when both are set and not blank (curl, undici, Python; core-rest-pipeline reads
//   the upper-case first). A blank value counts as unset.
// - https:// URLs use HTTPS_PROXY, else HTTP_PROXY (as undici and @azure/identity do; curl would not fall back);
//   http:// URLs use HTTP_PROXY. ALL_PROXY is not read: it usually names a SOCKS proxy, which is not supported.
// - A proxy value without a scheme means http:// (curl). Its user and password are kept apart from its URL, so the
//   URL can be shown; they travel only in Proxy-Authorization.
// - No implicit exceptions: a loopback host goes through the proxy unless NO_PROXY names it (curl, undici and
//   core-rest-pipeline agree; Go's net/http would skip loopback).
//
// NO_PROXY, entries separated by commas or spaces, as curl reads them (since 7.86), plus ports:
// - `*` alone: nothing is proxied.
// - `example.com` and `.example.com` both match example.com and every subdomain, as curl reads them, so a NO_PROXY
//   written for curl (what most CI and proxy documentation shows) means the same here; core-rest-pipeline would
//   read `example.com` as that host only. `*.example.com` is read as `.example.com` (undici and Go accept it, curl
//   does not; accepting it matches nothing `.example.com` would not).
// - `host:port` (`[v6]:port` for IPv6) matches that port only; without a port, every port. curl has no port
//   entries; Go's net/http and undici do, and they let a pipeline send one local service direct, not the whole host.
// - IP literals (IPv6 with or without brackets) match that address exactly, never as a suffix; `10.0.0.0/8` and
//   `fd00::/8` match a range (curl's CIDR entries). Names are never resolved: `localhost` does not match 127.0.0.1.
import { BlockList, isIP } from "node:net";

/** Where the proxy's credentials go (Proxy-Authorization: Basic); never in a URL that is shown. */
export interface ProxyCredentials {
    username: string;
    password: string;
}

export interface ProxyServer {
    /** scheme://host:port, without credentials: safe in messages. */
    url: string;
    credentials?: ProxyCredentials;
    /** The variable it came from (e.g. `https_proxy`), for messages. */
    variable: string;
}

export type Route = { kind: "direct"; why: string } | { kind: "proxy"; proxy: ProxyServer };

interface NoProxyEntry {
    /** Lower-case name without a leading dot, or a normalised IP address. */
    host: string;
    port?: number;
    ip: boolean;
    /** A CIDR range (IP entries only). */
    range?: BlockList;
    text: string;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** The first of `names` set (not blank) in `env`, with the name it was found under. */
function firstSet(env: NodeJS.ProcessEnv, names: string[]): { name: string; value: string } | undefined {
    for (const name of names) {
        const value = env[name]?.trim();
        if (value) return { name, value };
    }
    return undefined;
}

/** A proxy variable's value as a ProxyServer; the error names the variable, never the value (it may hold a password). */
export function parseProxyUrl(value: string, variable: string): ProxyServer {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        throw new Error(`${variable} is not a proxy URL; give http://host:port (user and password optional).`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new Error(
            `${variable} names a ${url.protocol.replace(":", "")} proxy; only http:// and https:// proxies are supported.`,
        );
    }
    if (!url.hostname) throw new Error(`${variable} names no proxy host; give http://host:port.`);
    const credentials =
        url.username || url.password
            ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
            : undefined;
    const port = url.port || String(DEFAULT_PORTS[url.protocol]);
    return { url: `${url.protocol}//${url.hostname}:${port}`, variable, ...(credentials ? { credentials } : {}) };
}

/** The Proxy-Authorization value for `c` (Basic: RFC 7617). */
export function proxyAuthorization(c: ProxyCredentials): string {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

/** IPv6 without brackets, lower-case; names lower-case without a trailing dot. */
function normaliseHost(host: string): string {
    const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

function parseNoProxyEntry(text: string): NoProxyEntry | undefined {
    let host = text;
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
    if (bracketed) {
        host = bracketed[1]!;
        port = bracketed[2] ? Number(bracketed[2]) : undefined;
    } else if (isIP(text.split("/")[0]!) !== 6) {
        // Not a bare IPv6 literal (or range): a last `:digits` is a port.
        const withPort = /^(.*):(\d+)$/.exec(text);
        if (withPort) {
            host = withPort[1]!;
            port = Number(withPort[2]);
        }
    }
    const [address, prefix] = host.split("/");
    const family = isIP(address!);
    if (family !== 0) {
        const ip = normaliseHost(address!);
        if (prefix === undefined) return { host: ip, port, ip: true, text };
        const bits = Number(prefix);
        if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return undefined;
        const range = new BlockList();
        range.addSubnet(ip, bits, family === 4 ? "ipv4" : "ipv6");
        return { host: ip, port, ip: true, range, text };
    }
    const name = normaliseHost(host.replace(/^\*?\./, ""));
    return name ? { host: name, port, ip: false, text } : undefined;
}

function matches(entry: NoProxyEntry, host: string, port: number): boolean {
    if (entry.port !== undefined && entry.port !== port) return false;
    if (entry.range) {
        const family = isIP(host);
        return family !== 0 && entry.range.check(host, family === 4 ? "ipv4" : "ipv6");
    }
    if (entry.ip) return isIP(host) !== 0 && entry.host === host;
    if (isIP(host) !== 0) return false; // an address is matched by address entries only, never as a name's suffix
    return host === entry.host || host.endsWith(`.${entry.host}`);
}

/** The proxy decision for every outbound URL of a process, read once from its environment. */
export class ProxyEnv {
    private constructor(
        private readonly https: ProxyServer | undefined,
        private readonly http: ProxyServer | undefined,
        private readonly noProxy: { all: boolean; entries: NoProxyEntry[]; variable?: string },
        /** Notes on what was read (both cases set and different), for one log line. */
        readonly notes: readonly string[],
    ) {}

    /** No proxy for anything. */
    static none(): ProxyEnv {
        return new ProxyEnv(undefined, undefined, { all: false, entries: [] }, []);
    }

    /** Reads the variables; throws an Error naming a variable whose value is not a usable proxy URL. */
    static fromEnv(env: NodeJS.ProcessEnv = process.env): ProxyEnv {
        const notes: string[] = [];
        const read = (name: string) => {
            const lower = name.toLowerCase();
            const found = firstSet(env, [lower, name]);
            const upper = env[name]?.trim();
            if (found?.name === lower && upper && upper !== found.value) {
                notes.push(`${lower} and ${name} differ; ${lower} is used`);
            }
            return found;
        };
        const httpsVar = read("HTTPS_PROXY");
        const httpVar = read("HTTP_PROXY");
        const noVar = read("NO_PROXY");
        const http = httpVar ? parseProxyUrl(httpVar.value, httpVar.name) : undefined;
        const https = httpsVar ? parseProxyUrl(httpsVar.value, httpsVar.name) : http;
        const items = (noVar?.value ?? "").split(/[\s,]+/).filter((s) => s !== "");
        const entries = items.flatMap((item) => {
            const entry = parseNoProxyEntry(item);
            return entry ? [entry] : [];
        });
        return new ProxyEnv(https, http, { all: items.includes("*"), entries, variable: noVar?.name }, notes);
    }

    /** Direct, or through which proxy, for `url` (http or https). */
    route(url: string | URL): Route {
        const u = typeof url === "string" ? new URL(url) : url;
        const proxy = u.protocol === "https:" ? this.https : u.protocol === "http:" ? this.http : undefined;
        if (!proxy) return { kind: "direct", why: `no proxy is set for ${u.protocol.replace(":", "")}` };
        const host = normaliseHost(u.hostname);
        const port = Number(u.port) || DEFAULT_PORTS[u.protocol]!;
        if (this.noProxy.all) return { kind: "direct", why: `${this.noProxy.variable} is *` };
        const entry = this.noProxy.entries.find((e) => matches(e, host, port));
        if (entry) return { kind: "direct", why: `${this.noProxy.variable} names ${entry.text}` };
        return { kind: "proxy", proxy };
    }

    /** The proxies' passwords, user names and Proxy-Authorization values, for the redactor. */
    secrets(): string[] {
        return [this.https, this.http].flatMap((p) => {
            const c = p?.credentials;
            return c ? [c.password, c.username, proxyAuthorization(c).slice("Basic ".length)] : [];
        });
    }

    /** One line for the log: which proxies, from which variables; never credentials. */
    describe(): string {
        const show = (p: ProxyServer | undefined) =>
            p ? `${p.url} (${p.variable}${p.credentials ? ", with credentials" : ""})` : "direct";
        const noProxy = this.noProxy.variable
            ? `; ${this.noProxy.variable}: ${this.noProxy.all ? "*" : this.noProxy.entries.map((e) => e.text).join(",")}`
            : "";
        return `outbound proxy: https ${show(this.https)}, http ${show(this.http)}${noProxy}`;
    }

    /** Whether any proxy is set at all. */
    get active(): boolean {
        return this.https !== undefined || this.http !== undefined;
    }
}
