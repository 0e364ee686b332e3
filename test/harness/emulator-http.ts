// Raw HTTPS requests to the emulator (Graph routes, the authority's token endpoint, control routes), for tests of
// the emulator itself: exactly what goes on the wire, no Graph client in between.
import { Agent, request } from "undici";

export interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
    /** The body parsed as JSON; undefined when it is empty or not JSON. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json: any;
}

export interface HttpOptions {
    /** Bearer token; undefined: the caller's default token; null: none. */
    token?: string | null;
    /** A JSON body (a string is sent as is). */
    body?: unknown;
    /** A form body (the token endpoint). */
    form?: Record<string, string>;
    headers?: Record<string, string>;
}

export type Http = (method: string, pathOrUrl: string, opts?: HttpOptions) => Promise<Answer>;

/**
 * A request function for the emulator at `graphEndpoint` (paths are relative to it; full https URLs pass as they
 * are), trusting `caCertPath`'s CA through `agent`. `defaultToken` is asked when a call names no token.
 */
export function emulatorHttp(
    target: { graphEndpoint: string },
    agent: Agent,
    defaultToken: () => string | undefined = () => undefined,
): Http {
    return async (method, pathOrUrl, opts = {}) => {
        const headers: Record<string, string> = { ...opts.headers };
        const auth = opts.token === undefined ? defaultToken() : opts.token;
        if (auth) headers["authorization"] = `Bearer ${auth}`;
        let body: string | undefined;
        if (opts.form) {
            headers["content-type"] = "application/x-www-form-urlencoded";
            body = new URLSearchParams(opts.form).toString();
        } else if (opts.body !== undefined) {
            headers["content-type"] = "application/json";
            body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
        }
        const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${target.graphEndpoint}${pathOrUrl}`;
        const res = await request(url, { method: method as "GET", headers, body, dispatcher: agent });
        const text = await res.body.text();
        let json: unknown;
        try {
            json = text ? JSON.parse(text) : undefined;
        } catch {
            json = undefined;
        }
        return { status: res.statusCode, headers: res.headers, text, json };
    };
}
