// Request headers of a Graph call, and response headers flattened to one string per lower-case name.

import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export function newClientRequestId(): string {
    return randomUUID();
}

export interface RequestHeaderInput {
    token: string;
    clientRequestId: string;
    userAgent: string;
    hasBody: boolean;
}

export function requestHeaders(h: RequestHeaderInput): Record<string, string> {
    const headers: Record<string, string> = {
        authorization: `Bearer ${h.token}`,
        accept: "application/json",
        "user-agent": h.userAgent,
        // Same id on every attempt of one logical call, so an admin can find all of them in Graph's logs.
        "client-request-id": h.clientRequestId,
        "return-client-request-id": "true",
    };
    if (h.hasBody) headers["content-type"] = "application/json";
    return headers;
}

export function flattenHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) continue;
        out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return out;
}
