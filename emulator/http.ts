// Small HTTP helpers shared by the Graph, authority and control handlers.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID_RE.test(value);
}

export function newGuid(): string {
    return randomUUID();
}

/** Graph's content type for JSON payloads (clients should only look at the `application/json` prefix). */
export const GRAPH_JSON =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
/** Entra's token endpoint answers plain JSON. */
export const PLAIN_JSON = "application/json; charset=utf-8";

/** Correlation ids carried on every answer (and inside Graph error bodies). */
export interface Correlation {
    requestId: string;
    clientRequestId: string;
}

export function correlationFor(req: IncomingMessage): Correlation {
    const sent = req.headers["client-request-id"];
    const value = Array.isArray(sent) ? sent[0] : sent;
    // Echo what the client sent when it looks like an id; never reflect arbitrary header content.
    const clientRequestId = value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : newGuid();
    return { requestId: newGuid(), clientRequestId };
}

/** A fully formed answer: handlers build these, the pipeline may still alter them (faults) before writing. */
export interface Reply {
    status: number;
    headers: Record<string, string>;
    /** undefined = no body (204). */
    body?: string;
}

export function jsonReply(
    status: number,
    payload: unknown,
    contentType = GRAPH_JSON,
    headers: Record<string, string> = {},
): Reply {
    return { status, headers: { "Content-Type": contentType, ...headers }, body: JSON.stringify(payload) };
}

export function emptyReply(status = 204, headers: Record<string, string> = {}): Reply {
    return { status, headers };
}

export function writeReply(res: ServerResponse, corr: Correlation, reply: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    res.statusCode = reply.status;
    res.setHeader("request-id", corr.requestId);
    res.setHeader("client-request-id", corr.clientRequestId);
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    if (reply.body === undefined) {
        res.end();
        return;
    }
    const bytes = Buffer.from(reply.body, "utf8");
    res.setHeader("Content-Length", String(bytes.length));
    res.end(bytes);
}

export class BodyTooLargeError extends Error {}

/** Reads the whole request body; bodies here are small JSON or form posts, so a hard cap keeps a bad client from hogging memory. */
export function readBody(req: IncomingMessage, limitBytes = 1024 * 1024): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limitBytes) {
                reject(new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`));
                req.resume();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

/** Graph's innerError date: ISO 8601 without fraction or zone, e.g. "2021-07-02T01:40:19". */
export function graphDate(now = new Date()): string {
    return now.toISOString().slice(0, 19);
}

/** Formats an origin for a host that may be an IPv6 literal. */
export function originFor(host: string, port: number): string {
    const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
    return `https://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}
