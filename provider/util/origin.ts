// Origins (scheme://host[:port]) for Graph and Entra endpoints, and the loopback rule for plain http.
// Shared by settings validation and the Graph client, so both refuse the same things with the same words.

import { isIP } from "node:net";

/** True for localhost, 127.0.0.0/8 and ::1: the only hosts where plain http can be allowed (emulators, tests). */
export function isLoopbackHost(hostname: string): boolean {
    const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
    if (h === "localhost" || h.endsWith(".localhost")) return true;
    if (isIP(h) === 4) return h.startsWith("127.");
    if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1";
    return false;
}

export type OriginCheck = { ok: true; origin: string; url: URL } | { ok: false; reason: string };

/**
 * Checks that `value` is an origin only (https://host[:port], one trailing slash tolerated) and returns it
 * normalised. Plain http passes only for loopback hosts and only when `allowInsecureLoopback` is set.
 */
export function checkOrigin(value: string, allowInsecureLoopback = false): OriginCheck {
    const raw = value.trim();
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        return { ok: false, reason: "is not an absolute URL" };
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        return { ok: false, reason: `uses ${url.protocol} (only https: is supported)` };
    }
    if (url.protocol === "http:" && !(allowInsecureLoopback && isLoopbackHost(url.hostname))) {
        return {
            ok: false,
            reason: isLoopbackHost(url.hostname)
                ? "uses plain http: (allowed for loopback hosts only with allowInsecureLoopback=true)"
                : "uses plain http: (only https: is allowed for non-loopback hosts)",
        };
    }
    if (url.username || url.password) return { ok: false, reason: "contains credentials" };
    if (url.search || url.hash) return { ok: false, reason: "has a query or fragment (give the origin only)" };
    const path = url.pathname.replace(/\/$/, "");
    if (/^\/(beta|v1\.0)(\/|$)/i.test(path)) {
        return {
            ok: false,
            reason: `contains the API version "${path}" (give the origin only; the client adds /beta itself)`,
        };
    }
    if (path !== "") return { ok: false, reason: `has a path "${url.pathname}" (give the origin only)` };
    return { ok: true, origin: url.origin, url };
}
