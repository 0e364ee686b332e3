// The HttpClient (@azure/core-rest-pipeline's interface) that @azure/identity and @azure/storage-blob send through,
// over our undici dispatcher. Given as their `httpClient`, it is the only thing that sends: their pipeline's own
// proxyPolicy reads HTTPS_PROXY/NO_PROXY with its own rules and sets `request.agent`, which only their default Node
// client looks at, so that policy becomes inert and our ProxyEnv decides for tokens and storage as for Graph.
import { Readable } from "node:stream";
import type { TokenCredentialOptions } from "@azure/identity";
// RestError is core-rest-pipeline's class; @azure/storage-blob (a direct dependency) re-exports it.
import { RestError, type StoragePipelineOptions } from "@azure/storage-blob";
import type { Dispatcher } from "undici";

// core-rest-pipeline's types, named through @azure/identity's options (a direct dependency): under pnpm's layout
// @azure/core-rest-pipeline itself is not resolvable from this package.
export type HttpClient = NonNullable<TokenCredentialOptions["httpClient"]>;
type PipelineRequest = Parameters<HttpClient["sendRequest"]>[0];
type PipelineResponse = Awaited<ReturnType<HttpClient["sendRequest"]>>;
type HttpHeaders = PipelineResponse["headers"];

/** core-rest-pipeline's HttpHeaders over a Map keyed by lower-case name (its createHttpHeaders, unexported here). */
class Headers implements HttpHeaders {
    private readonly map = new Map<string, { name: string; value: string }>();
    constructor(raw: Record<string, string | string[] | undefined> = {}) {
        for (const [name, value] of Object.entries(raw)) {
            if (value !== undefined) this.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
    }
    get(name: string): string | undefined {
        return this.map.get(name.toLowerCase())?.value;
    }
    has(name: string): boolean {
        return this.map.has(name.toLowerCase());
    }
    set(name: string, value: string | number | boolean): void {
        this.map.set(name.toLowerCase(), { name, value: String(value) });
    }
    delete(name: string): void {
        this.map.delete(name.toLowerCase());
    }
    toJSON(options?: { preserveCase?: boolean }): Record<string, string> {
        const out: Record<string, string> = {};
        for (const [key, { name, value }] of this.map) out[options?.preserveCase ? name : key] = value;
        return out;
    }
    *[Symbol.iterator](): Iterator<[string, string]> {
        for (const [key, { value }] of this.map) yield [key, value];
    }
}

type UndiciBody = string | Buffer | Uint8Array | Readable | null;

async function requestBody(body: PipelineRequest["body"]): Promise<UndiciBody> {
    const value = typeof body === "function" ? body() : body;
    if (value === undefined || value === null || typeof value === "string") return value ?? null;
    if (value instanceof ArrayBuffer) return Buffer.from(value);
    if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (value instanceof Blob) return Buffer.from(await value.arrayBuffer());
    if (value instanceof Readable) return value;
    if (value instanceof ReadableStream) return Readable.fromWeb(value as import("node:stream/web").ReadableStream);
    // FormData is turned into a body by the pipeline's formDataPolicy before a client sees it.
    throw new Error(`unsupported request body (${Object.prototype.toString.call(value)})`);
}

export function dispatcherHttpClient(dispatcher: Dispatcher): HttpClient {
    return {
        async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
            const url = new URL(request.url);
            const signals = [
                request.abortSignal,
                request.timeout > 0 ? AbortSignal.timeout(request.timeout) : undefined,
            ];
            const signal = AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
            const headers = request.headers.toJSON({ preserveCase: true });
            // Answers are small (tokens, a blob's last 512 bytes): ask for them uncompressed rather than decode here.
            for (const name of Object.keys(headers)) if (name.toLowerCase() === "accept-encoding") delete headers[name];
            let res: Dispatcher.ResponseData;
            try {
                res = await dispatcher.request({
                    origin: url.origin,
                    path: `${url.pathname}${url.search}`,
                    method: request.method as Dispatcher.HttpMethod,
                    headers,
                    body: await requestBody(request.body),
                    signal,
                });
            } catch (err) {
                if (signal.aborted && request.abortSignal?.aborted) {
                    const abort = new Error("The operation was aborted.");
                    abort.name = "AbortError";
                    throw abort;
                }
                const e = err as { code?: string; message?: string; cause?: { code?: string } };
                throw new RestError(e.message ?? String(err), {
                    code: e.code ?? e.cause?.code ?? RestError.REQUEST_SEND_ERROR,
                    request,
                });
            }
            const response: PipelineResponse = { request, status: res.statusCode, headers: new Headers(res.headers) };
            if (request.method === "HEAD") {
                await res.body.dump();
                return response;
            }
            const stream =
                request.streamResponseStatusCodes?.has(Number.POSITIVE_INFINITY) ||
                request.streamResponseStatusCodes?.has(res.statusCode);
            if (stream) response.readableStreamBody = res.body;
            else response.bodyAsText = await res.body.text();
            return response;
        },
    };
}

type StorageHttpClient = NonNullable<StoragePipelineOptions["httpClient"]>;

/** The parts of core-http-compat's WebResourceLike that a request needs. */
interface WebResourceLike {
    url: string;
    method: PipelineRequest["method"];
    headers: { toJson(options?: { preserveCase?: boolean }): Record<string, string> };
    body?: PipelineRequest["body"];
    abortSignal?: AbortSignal;
    timeout: number;
    streamResponseStatusCodes?: Set<number>;
}

/**
 * The same client in the older shape @azure/storage-blob takes as its `httpClient` (core-http-compat's RequestPolicy,
 * which it converts back with convertHttpClient: the request it hands over is a view of its PipelineRequest, and the
 * answer's headers are read with `toJson`).
 */
export function storageHttpClient(client: HttpClient): StorageHttpClient {
    return {
        async sendRequest(web: WebResourceLike) {
            const headers = new Headers(web.headers.toJson({ preserveCase: true }));
            const request: PipelineRequest = {
                url: web.url,
                method: web.method,
                headers,
                body: web.body,
                abortSignal: web.abortSignal,
                timeout: web.timeout,
                streamResponseStatusCodes: web.streamResponseStatusCodes,
                withCredentials: false,
                requestId: headers.get("x-ms-client-request-id") ?? "",
            };
            const res = await client.sendRequest(request);
            const answer = res.headers;
            return {
                ...res,
                request: web,
                headers: {
                    toJson: (o?: { preserveCase?: boolean }) => answer.toJSON(o),
                    get: (name: string) => answer.get(name),
                    contains: (name: string) => answer.has(name),
                },
            };
        },
    } as unknown as StorageHttpClient;
}
