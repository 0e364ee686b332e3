// The id of a Graph call, and response headers flattened to one string per lower-case name.

import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export function newClientRequestId(): string {
    return randomUUID();
}

export function flattenHeaders(
    headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) continue;
        out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return out;
}
