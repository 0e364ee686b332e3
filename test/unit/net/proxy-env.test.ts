import * as assert from "node:assert/strict";
import { parseProxyUrl, ProxyEnv, type Route } from "../../../provider/net/proxy-env";
import { resolveSettings } from "../../../provider/config/settings";
import { RecordingProgress } from "../../../provider/runtime/progress";
import { ProviderRuntime } from "../../../provider/runtime/runtime";
import { Redactor } from "../../../provider/util/redact";

const PROXY = "http://proxy.corp:3128";

/** "direct" or the proxy URL the route goes through. */
function via(env: NodeJS.ProcessEnv, url: string): string {
    const route: Route = ProxyEnv.fromEnv(env).route(url);
    return route.kind === "direct" ? "direct" : route.proxy.url;
}

function noProxy(list: string, url: string): string {
    return via({ HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, NO_PROXY: list }, url);
}

describe("ProxyEnv (net/proxy-env.ts)", () => {
    describe("which variable", () => {
        it("https URLs use HTTPS_PROXY, else HTTP_PROXY; http URLs use HTTP_PROXY only", () => {
            assert.equal(
                via({ HTTPS_PROXY: "http://s:1", HTTP_PROXY: "http://p:2" }, "https://graph.x/"),
                "http://s:1",
            );
            assert.equal(via({ HTTPS_PROXY: "http://s:1", HTTP_PROXY: "http://p:2" }, "http://graph.x/"), "http://p:2");
            assert.equal(via({ HTTP_PROXY: "http://p:2" }, "https://graph.x/"), "http://p:2");
            assert.equal(via({ HTTPS_PROXY: "http://s:1" }, "http://graph.x/"), "direct");
            assert.equal(via({}, "https://graph.x/"), "direct");
            assert.equal(via({ ALL_PROXY: "http://a:3" }, "https://graph.x/"), "direct");
        });

        it("the lower-case name wins over the upper-case one when both are set, and says so", () => {
            const env = { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" };
            assert.equal(via(env, "https://graph.x/"), "http://lower:1");
            assert.deepEqual(ProxyEnv.fromEnv(env).notes, ["https_proxy and HTTPS_PROXY differ; https_proxy is used"]);
            assert.equal(via({ HTTPS_PROXY: "http://upper:2" }, "https://graph.x/"), "http://upper:2");
            assert.equal(via({ https_proxy: "http://lower:1" }, "https://graph.x/"), "http://lower:1");
            assert.equal(
                via({ HTTPS_PROXY: PROXY, no_proxy: "graph.x", NO_PROXY: "other.x" }, "https://graph.x/"),
                "direct",
            );
            assert.equal(
                via({ HTTPS_PROXY: PROXY, no_proxy: "other.x", NO_PROXY: "graph.x" }, "https://graph.x/"),
                PROXY,
            );
        });

        it("a blank value counts as unset, so the other case applies", () => {
            assert.equal(
                via({ https_proxy: " ", HTTPS_PROXY: "http://upper:2" }, "https://graph.x/"),
                "http://upper:2",
            );
            assert.equal(via({ HTTPS_PROXY: PROXY, no_proxy: "", NO_PROXY: "graph.x" }, "https://graph.x/"), "direct");
        });
    });

    describe("the proxy URL", () => {
        it("no scheme means http://; the default port is the scheme's", () => {
            assert.equal(parseProxyUrl("proxy.corp:3128", "HTTPS_PROXY").url, "http://proxy.corp:3128");
            assert.equal(parseProxyUrl("http://proxy.corp", "HTTPS_PROXY").url, "http://proxy.corp:80");
            assert.equal(parseProxyUrl("https://proxy.corp", "HTTPS_PROXY").url, "https://proxy.corp:443");
        });

        it("keeps the user and password apart (decoded) and out of the URL", () => {
            const p = parseProxyUrl("http://us%40r:p%3Ass@proxy.corp:3128/", "https_proxy");
            assert.equal(p.url, "http://proxy.corp:3128");
            assert.deepEqual(p.credentials, { username: "us@r", password: "p:ss" });
            assert.equal(p.variable, "https_proxy");
        });

        it("refuses SOCKS and unparsable values, naming the variable and never the value", () => {
            assert.throws(
                () => ProxyEnv.fromEnv({ HTTPS_PROXY: "socks5://user:canary-pw-1@h:1080" }),
                (e: Error) => /HTTPS_PROXY names a socks5 proxy/.test(e.message) && !e.message.includes("canary"),
            );
            assert.throws(
                () => ProxyEnv.fromEnv({ http_proxy: "http://user:canary-pw-2@[bad" }),
                (e: Error) => /^http_proxy is not a proxy URL/.test(e.message) && !e.message.includes("canary"),
            );
        });

        it("describe() shows the proxies and NO_PROXY without credentials; secrets() feeds the redactor", () => {
            const proxy = ProxyEnv.fromEnv({
                HTTPS_PROXY: "http://svc-proxy:canary-secret-9@proxy.corp:3128",
                NO_PROXY: "a,b",
            });
            const line = proxy.describe();
            assert.equal(
                line,
                "outbound proxy: https http://proxy.corp:3128 (HTTPS_PROXY, with credentials), http direct; NO_PROXY: a,b",
            );
            const redactor = new Redactor();
            for (const s of proxy.secrets()) redactor.register(s);
            assert.equal(
                redactor.redact("CONNECT failed via http://svc-proxy:canary-secret-9@proxy.corp:3128"),
                "CONNECT failed via http://REDACTED:REDACTED@proxy.corp:3128",
            );
            const header = `Basic ${Buffer.from("svc-proxy:canary-secret-9").toString("base64")}`;
            assert.equal(redactor.redact(`proxy-authorization: ${header}`), "proxy-authorization: Basic REDACTED");
        });
    });

    describe("NO_PROXY", () => {
        it("* alone: nothing is proxied", () => {
            assert.equal(noProxy("*", "https://graph.microsoft.com/"), "direct");
            assert.equal(noProxy("foo.x, *", "http://10.1.2.3:8080/"), "direct");
        });

        it("an exact host matches that host (any case, trailing dot) and not a longer name", () => {
            assert.equal(noProxy("graph.microsoft.com", "https://graph.microsoft.com/beta"), "direct");
            assert.equal(noProxy("GRAPH.microsoft.com.", "https://Graph.Microsoft.Com./x"), "direct");
            assert.equal(noProxy("graph.microsoft.com", "https://xgraph.microsoft.com/"), PROXY);
            assert.equal(noProxy("graph.microsoft.com", "https://microsoft.com/"), PROXY);
        });

        it("example.com, .example.com and *.example.com all match the domain and its subdomains (curl)", () => {
            for (const entry of ["example.com", ".example.com", "*.example.com"]) {
                assert.equal(noProxy(entry, "https://example.com/"), "direct", entry);
                assert.equal(noProxy(entry, "https://a.b.example.com/"), "direct", entry);
                assert.equal(noProxy(entry, "https://badexample.com/"), PROXY, entry);
            }
        });

        it("host:port matches that port only (the scheme's default port counts)", () => {
            assert.equal(noProxy("blob.local:10000", "https://blob.local:10000/a"), "direct");
            assert.equal(noProxy("blob.local:10000", "https://blob.local:10001/a"), PROXY);
            assert.equal(noProxy("graph.x:443", "https://graph.x/"), "direct");
            assert.equal(noProxy("graph.x:443", "http://graph.x/"), PROXY);
            assert.equal(noProxy(".corp:8443", "https://a.corp:8443/"), "direct");
        });

        it("IP literals match exactly, never as a suffix; IPv6 with or without brackets, with a port in brackets", () => {
            assert.equal(noProxy("10.0.0.1", "https://10.0.0.1:8443/"), "direct");
            assert.equal(noProxy("0.0.1", "https://10.0.0.1/"), PROXY);
            assert.equal(noProxy("10.0.0.1", "https://110.0.0.1/"), PROXY);
            assert.equal(noProxy("10.0.0.1:8443", "https://10.0.0.1:8443/"), "direct");
            assert.equal(noProxy("10.0.0.1:8443", "https://10.0.0.1/"), PROXY);
            assert.equal(noProxy("::1", "https://[::1]:9000/"), "direct");
            assert.equal(noProxy("[::1]", "https://[::1]:9000/"), "direct");
            assert.equal(noProxy("[::1]:9000", "https://[::1]:9000/"), "direct");
            assert.equal(noProxy("[::1]:9000", "https://[::1]:9001/"), PROXY);
            assert.equal(noProxy("[fd00::1]", "https://[fd00:0:0::1]/"), "direct");
        });

        it("CIDR ranges, IPv4 and IPv6; names are never resolved (localhost is not 127.0.0.1)", () => {
            assert.equal(noProxy("10.0.0.0/8", "https://10.200.3.4/"), "direct");
            assert.equal(noProxy("10.0.0.0/8", "https://11.0.0.1/"), PROXY);
            assert.equal(noProxy("fd00::/8", "https://[fd12::5]/"), "direct");
            assert.equal(noProxy("localhost", "https://127.0.0.1/"), PROXY);
            assert.equal(noProxy("127.0.0.1", "https://localhost/"), PROXY);
        });

        it("entries are separated by commas and spaces; loopback is proxied unless named", () => {
            assert.equal(noProxy("a.x  b.x,,c.x", "https://b.x/"), "direct");
            assert.equal(noProxy("a.x  b.x,,c.x", "https://c.x/"), "direct");
            assert.equal(noProxy("a.x", "https://127.0.0.1:8443/"), PROXY);
            assert.equal(via({ HTTPS_PROXY: PROXY }, "https://localhost/"), PROXY);
        });

        it("says why a URL goes direct", () => {
            const r = ProxyEnv.fromEnv({ HTTPS_PROXY: PROXY, no_proxy: ".corp" }).route("https://a.corp/");
            assert.deepEqual(r, { kind: "direct", why: "no_proxy names .corp" });
        });
    });
});

describe("a runtime's proxy (runtime.network)", () => {
    it("is read from the environment the runtime was given, not the process's", async () => {
        const settings = resolveSettings(undefined, {});
        const runtime = new ProviderRuntime(settings, {
            env: { HTTPS_PROXY: PROXY },
            progress: new RecordingProgress(),
        });
        try {
            const route = runtime.network.proxy.route("https://graph.microsoft.com/beta");
            assert.equal(route.kind === "proxy" ? route.proxy.url : "direct", PROXY);
            const direct = new ProviderRuntime(settings, { env: {}, progress: new RecordingProgress() });
            assert.equal(direct.network.proxy.route("https://graph.microsoft.com/beta").kind, "direct");
            await direct.close();
        } finally {
            await runtime.close();
        }
    });
});
