// Where requests go. The client holds one Graph origin and sends its token nowhere else: paths are relative to
// /beta, and absolute URLs (nextLinks) must be on the same origin. Plain http only for loopback hosts, on request.

import { checkOrigin } from "../util/origin";

export const API_VERSION_PATH = "/beta";

export interface Target {
    /** e.g. https://graph.microsoft.com */
    origin: string;
    /** Path and query, sent verbatim, e.g. /beta/deviceManagement/...?$skiptoken=... */
    path: string;
    /** host[:port], for messages. */
    host: string;
}

export class GraphEndpoint {
    readonly origin: string;
    readonly host: string;

    constructor(graphEndpoint: string, allowInsecureLoopback = false) {
        const check = checkOrigin(graphEndpoint, allowInsecureLoopback);
        if (!check.ok) throw new Error(`Graph endpoint ${JSON.stringify(graphEndpoint)} ${check.reason}.`);
        this.origin = check.origin;
        this.host = check.url.host;
    }

    /** Resolves "/deviceManagement/..." (relative to /beta) or an absolute same-origin URL, keeping it verbatim. */
    resolve(pathOrUrl: string): Target {
        if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
            let url: URL;
            try {
                url = new URL(pathOrUrl);
            } catch {
                throw new Error(`Not a valid URL: ${pathOrUrl}`);
            }
            if (url.origin !== this.origin) {
                throw new Error(
                    `Refusing to send a Graph request (and its token) to ${url.origin}: the client's endpoint is ${this.origin}.`,
                );
            }
            // Everything after the authority, untouched: nextLinks must be requested verbatim.
            const rest = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(pathOrUrl)?.[1] ?? "/";
            const path = rest.replace(/#.*$/, "");
            return { origin: this.origin, path: path.startsWith("/") ? path : `/${path}`, host: this.host };
        }
        if (!pathOrUrl.startsWith("/"))
            throw new Error(`Graph paths start with "/" (relative to ${API_VERSION_PATH}): ${pathOrUrl}`);
        if (/^\/(beta|v1\.0)(\/|$|\?)/i.test(pathOrUrl)) {
            throw new Error(`Graph paths are relative to ${API_VERSION_PATH}; drop the version prefix: ${pathOrUrl}`);
        }
        return { origin: this.origin, path: `${API_VERSION_PATH}${pathOrUrl}`, host: this.host };
    }
}
