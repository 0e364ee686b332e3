// One debug line per attempt: operation, method, URL, outcome, time, attempt and ids. Like core-rest-pipeline's
// Sanitizer, only allow-listed query parameters and headers are shown with their values; everything else is
// shown as REDACTED (a SAS `sig`, a token in a query, an authorization header never reach the log). redact()
// runs over the line as well.

import type { Clock } from "../../util/clock";
import { GraphTransportError } from "../errors";
import type { GraphPolicy } from "../pipeline";
import type { GraphLog } from "../types";
import { redact } from "../../util/redact";

/** OData query options and paging tokens Graph documents; values help debugging and hold no secret. */
export const LOGGED_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
    "$filter",
    "$select",
    "$expand",
    "$top",
    "$skip",
    "$skiptoken",
    "$count",
    "$orderby",
    "$search",
    "$format",
    "api-version",
]);

/** Response headers worth a line: what traces the call in Graph's logs and what paced it. */
export const LOGGED_HEADERS: ReadonlySet<string> = new Set([
    "request-id",
    "client-request-id",
    "x-ms-ags-diagnostic",
    "retry-after",
    "date",
    "content-type",
    "content-length",
    "location",
]);

const REDACTED = "REDACTED";

/** `url` (absolute, or a path with query) with the values of query parameters outside `allowed` replaced. */
export function sanitizeUrl(url: string, allowed: ReadonlySet<string> = LOGGED_QUERY_PARAMETERS): string {
    const q = url.indexOf("?");
    if (q < 0) return url;
    const hash = url.indexOf("#", q);
    const query = url.slice(q + 1, hash < 0 ? undefined : hash);
    const kept = query.split("&").map((pair) => {
        const eq = pair.indexOf("=");
        if (eq < 0) return pair;
        let name = pair.slice(0, eq);
        try {
            name = decodeURIComponent(name);
        } catch {
            // keep it encoded; an undecodable name is not on the list anyway
        }
        return allowed.has(name.toLowerCase()) ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    });
    return `${url.slice(0, q)}?${kept.join("&")}`;
}

/** The headers on the allow-list, as `name=value; ...` (names lower-case), others left out. */
export function sanitizeHeaders(
    headers: Record<string, string>,
    allowed: ReadonlySet<string> = LOGGED_HEADERS,
): string {
    return Object.entries(headers)
        .filter(([name]) => allowed.has(name.toLowerCase()))
        .map(([name, value]) => `${name.toLowerCase()}=${value}`)
        .join("; ");
}

export function loggingPolicy(log: GraphLog | undefined, clock: Clock): GraphPolicy {
    return {
        name: "logging",
        async send(call, next) {
            if (!log) return next(call);
            const started = clock.now();
            const say = (outcome: string, headers?: Record<string, string>) => {
                const url = sanitizeUrl(call.target.origin + call.target.path);
                const shown = headers ? sanitizeHeaders(headers) : "";
                log.debug(
                    redact(
                        `${call.request.operation}: ${call.request.method} ${url} -> ${outcome} in ` +
                            `${clock.now() - started} ms [attempt ${call.attempts}, client-request-id ` +
                            `${call.clientRequestId}]${shown ? ` {${shown}}` : ""}`,
                    ),
                );
            };
            try {
                const answer = await next(call);
                say(`HTTP ${answer.status}`, answer.headers);
                return answer;
            } catch (err) {
                if (err instanceof GraphTransportError) {
                    say(`no response (${err.code === "ETIMEDOUT" ? "timeout" : "connection error"})`);
                }
                throw err;
            }
        },
    };
}
