// The HttpClient @azure/identity and @azure/storage-blob send through (net/azure-http-client.ts), over a fake undici
// dispatcher (no socket), and the routing dispatcher's choice of agent (net/proxy-dispatcher.ts; no connection made).
import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import { dispatcherHttpClient, storageHttpClient } from "../../../provider/net/azure-http-client";
import { ProxyDispatcher } from "../../../provider/net/proxy-dispatcher";
import { ProxyEnv } from "../../../provider/net/proxy-env";

interface Seen {
    origin: string;
    path: string;
    method: string;
    headers: Record<string, string>;
    body: unknown;
}

/** A dispatcher whose request() records what it was asked and answers `answer` (or throws it). */
function fakeDispatcher(answer: { status: number; headers?: Record<string, string>; body?: string } | Error): {
    dispatcher: Dispatcher;
    seen: Seen[];
} {
    const seen: Seen[] = [];
    const dispatcher = {
        async request(o: Dispatcher.RequestOptions) {
            seen.push({
                origin: String(o.origin),
                path: o.path,
                method: o.method,
                headers: o.headers as Record<string, string>,
                body: o.body,
            });
            if (answer instanceof Error) throw answer;
            const stream = Readable.from([Buffer.from(answer.body ?? "")]);
            return {
                statusCode: answer.status,
                headers: answer.headers ?? {},
                body: Object.assign(stream, {
                    text: async () => answer.body ?? "",
                    dump: async () => undefined,
                }),
            };
        },
    } as unknown as Dispatcher;
    return { dispatcher, seen };
}

describe("net: the @azure HttpClient over undici", () => {
    it("sends method, origin, path with query, headers (without Accept-Encoding) and a string body", async () => {
        const { dispatcher, seen } = fakeDispatcher({
            status: 200,
            headers: { "Content-Type": "application/json" },
            body: '{"a":1}',
        });
        const request = createPipelineRequest({
            url: "https://login.example/tenant/oauth2/v2.0/token?x=1",
            method: "POST",
            headers: createHttpHeaders({
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Encoding": "gzip,deflate",
            }),
            body: "grant_type=client_credentials",
        });
        const res = await dispatcherHttpClient(dispatcher).sendRequest(request);
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.origin, "https://login.example");
        assert.equal(seen[0]!.path, "/tenant/oauth2/v2.0/token?x=1");
        assert.equal(seen[0]!.method, "POST");
        assert.equal(seen[0]!.headers["Content-Type"], "application/x-www-form-urlencoded");
        assert.ok(!Object.keys(seen[0]!.headers).some((h) => h.toLowerCase() === "accept-encoding"));
        assert.equal(seen[0]!.body, "grant_type=client_credentials");
        assert.equal(res.status, 200);
        assert.equal(res.bodyAsText, '{"a":1}');
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.equal(res.headers.get("CONTENT-TYPE"), "application/json");
        assert.equal(res.request, request);
    });

    it("HEAD answers carry no body; listed statuses come back as a stream", async () => {
        const head = fakeDispatcher({ status: 200, headers: { "content-length": "1536" } });
        const h = await dispatcherHttpClient(head.dispatcher).sendRequest(
            createPipelineRequest({ url: "https://acct.blob.core.windows.net/c/b.vhd", method: "HEAD" }),
        );
        assert.equal(h.bodyAsText, undefined);
        assert.equal(h.readableStreamBody, undefined);
        const ranged = fakeDispatcher({ status: 206, body: "tail" });
        const request = createPipelineRequest({ url: "https://acct.blob.core.windows.net/c/b.vhd", method: "GET" });
        request.streamResponseStatusCodes = new Set([200, 206]);
        const r = await dispatcherHttpClient(ranged.dispatcher).sendRequest(request);
        assert.ok(r.readableStreamBody);
        assert.equal(r.bodyAsText, undefined);
    });

    it("a failure without an answer is a RestError with the cause's code (what the SDKs' retry policies read)", async () => {
        const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:3128"), { code: "ECONNREFUSED" });
        const { dispatcher } = fakeDispatcher(refused);
        const err = await dispatcherHttpClient(dispatcher)
            .sendRequest(createPipelineRequest({ url: "https://login.example/t", method: "GET" }))
            .then(
                () => undefined,
                (e: unknown) => e,
            );
        assert.ok(err instanceof RestError, String(err));
        assert.equal(err.code, "ECONNREFUSED");
    });

    it("a request its caller aborted fails as an AbortError", async () => {
        const controller = new AbortController();
        controller.abort();
        const { dispatcher } = fakeDispatcher(Object.assign(new Error("aborted"), { name: "AbortError" }));
        const request = createPipelineRequest({
            url: "https://login.example/t",
            method: "GET",
            abortSignal: controller.signal,
        });
        const err = await dispatcherHttpClient(dispatcher)
            .sendRequest(request)
            .then(
                () => undefined,
                (e: unknown) => e as Error,
            );
        assert.equal(err?.name, "AbortError");
    });

    it("storage's older shape: headers read with toJson, the answer's headers readable with toJson and get", async () => {
        const { dispatcher, seen } = fakeDispatcher({
            status: 200,
            headers: { "x-ms-blob-type": "PageBlob" },
            body: "",
        });
        const client = storageHttpClient(dispatcherHttpClient(dispatcher)) as unknown as {
            sendRequest(
                web: object,
            ): Promise<{ status: number; headers: { toJson(): Record<string, string>; get(n: string): string } }>;
        };
        const web = {
            url: "https://acct.blob.core.windows.net/c/b.vhd",
            method: "GET",
            headers: { toJson: () => ({ "x-ms-version": "2025-01-05", "x-ms-client-request-id": "id-1" }) },
            timeout: 0,
        };
        const res = await client.sendRequest(web);
        assert.equal(seen[0]!.headers["x-ms-version"], "2025-01-05");
        assert.equal(res.status, 200);
        assert.deepEqual(res.headers.toJson(), { "x-ms-blob-type": "PageBlob" });
        assert.equal(res.headers.get("X-MS-BLOB-TYPE"), "PageBlob");
    });
});

describe("net: ProxyDispatcher picks an agent per origin", () => {
    it("direct origins share the plain Agent; proxied ones one ProxyAgent per proxy", async () => {
        const env = ProxyEnv.fromEnv({ HTTPS_PROXY: "http://u:canary-pw-3@proxy.corp:3128", NO_PROXY: ".internal" });
        const router = new ProxyDispatcher(env);
        try {
            const direct = router.dispatcherFor("https://storage.internal");
            const graph = router.dispatcherFor("https://graph.microsoft.com");
            const login = router.dispatcherFor("https://login.microsoftonline.com");
            assert.ok(direct instanceof Agent && !(direct instanceof ProxyAgent));
            assert.ok(graph instanceof ProxyAgent);
            assert.equal(login, graph, "one ProxyAgent (one pool of tunnels) per proxy");
            assert.equal(router.dispatcherFor("http://plain.example"), direct, "no HTTP_PROXY: http goes direct");
        } finally {
            await router.close();
        }
    });
});
