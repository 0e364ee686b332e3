// What a SAS URL points at, without its credentials. A SAS built in the stack (an expiry relative to now) gets a new
// signature on every run; that must not re-import the user's snapshot. The file is named by the scheme, host and
// path, plus the two query parameters that select another version of the blob (`snapshot`, `versionid`). Every
// other parameter (sig, se, st, sp, sv, spr, sip, si, sr, skoid, ...) only says who may read it, and until when.

/** Query parameters that select a different blob (Azure matches parameter names case-insensitively). */
export const BLOB_SELECTING_PARAMS = ["snapshot", "versionid"] as const;

/**
 * The URL reduced to what identifies the file: `https://host/container/blob`, with `?snapshot=...&versionid=...`
 * when present (names lower-cased, in that order). Safe to store and show: it holds no credential.
 * undefined when the text is not a URL.
 */
export function sasUrlIdentity(sasUrl: string): string | undefined {
    let url: URL;
    try {
        url = new URL(sasUrl);
    } catch {
        return undefined;
    }
    const kept = new URLSearchParams();
    for (const name of BLOB_SELECTING_PARAMS) {
        for (const [key, value] of url.searchParams) if (key.toLowerCase() === name) kept.append(name, value);
    }
    const query = kept.toString();
    return `${url.protocol}//${url.host}${url.pathname}${query ? `?${query}` : ""}`;
}

/** The URL without any query string: what state held before the identity kept `snapshot`/`versionid` (0.1.0). */
export function sasUrlOriginAndPath(sasUrl: string): string | undefined {
    try {
        const url = new URL(sasUrl);
        return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
        return undefined;
    }
}

/** Whether the URL selects a blob snapshot or version (then its origin and path alone do not name the file). */
export function selectsBlobVersion(sasUrl: string): boolean {
    const identity = sasUrlIdentity(sasUrl);
    return identity !== undefined && identity.includes("?");
}
