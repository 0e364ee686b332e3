// One HTTP attempt over undici: a keep-alive Agent per client (through a proxy where ../net/proxy-env.ts says so), a per-attempt timeout, and a record of whether the
// request was actually written. That record is what lets a POST be retried after a connection failure only when
// Graph cannot have seen it.

import { isIP } from "node:net";
import * as tls from "node:tls";
import type { Dispatcher } from "undici";
import { ProxyDispatcher } from "../net/proxy-dispatcher";
import { ProxyEnv, type ProxyServer } from "../net/proxy-env";
import { flattenHeaders } from "./headers";
import { tlsErrorCode } from "./retry";

/** Bodies larger than this are refused (undici's maxResponseSize): no Graph answer for these APIs comes near it. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface TransportOptions {
    /** Extra CAs to trust in addition to Node's (which already include NODE_EXTRA_CA_CERTS). */
    ca?: string | Buffer | Array<string | Buffer>;
    connectTimeoutMs?: number;
    keepAliveTimeoutMs?: number;
    /** Default MAX_RESPONSE_BYTES. */
    maxResponseBytes?: number;
    /** Which origins go through which proxy (default: none, every request direct). */
    proxy?: ProxyEnv;
}

export interface Attempt {
    origin: string;
    path: string;
    method: Dispatcher.HttpMethod;
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
}

/** What a diagnosis of a connection found: a TLS error code, or PROXY_TUNNEL; the message is safe to show. */
export interface NetworkProblem {
    code: string;
    message: string;
}

/** The proxy refused or could not open the tunnel (407, 502, unreachable proxy). */
export const PROXY_TUNNEL = "PROXY_TUNNEL";

export type AttemptResult =
    | { ok: true; status: number; headers: Record<string, string>; bodyText: string }
    | { ok: false; error: unknown; sent: boolean; timedOut: boolean };

// ---- knowing whether the request was written -------------------------------------------------------------------

/** Per-attempt flag set by the interceptor below; travels in the dispatch options under this key. */
const SEND_TRACKER = "cloudpcSendTracker";
interface SendTracker {
    sent: boolean;
}

/**
 * undici calls a handler's onRequestStart just before it writes the request to a connected socket (client-h1
 * writeH1). Before that point, any failure (DNS, refused, connect timeout, TLS) means Graph never saw the request.
 * Written out rather than extending undici's DecoratorHandler: undici 8 marks that class deprecated, and its types
 * declare none of the methods an override would call.
 */
class SendTrackingHandler implements Dispatcher.DispatchHandler {
    constructor(
        private readonly inner: Dispatcher.DispatchHandler,
        private readonly tracker: SendTracker,
    ) {}
    onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
        this.tracker.sent = true;
        this.inner.onRequestStart?.(controller, context);
    }
    onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestUpgrade"]>>): void {
        this.inner.onRequestUpgrade?.(...args);
    }
    onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>>): void {
        this.inner.onResponseStart?.(...args);
    }
    onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseData"]>>): void {
        this.inner.onResponseData?.(...args);
    }
    onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseEnd"]>>): void {
        this.inner.onResponseEnd?.(...args);
    }
    onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseError"]>>): void {
        this.inner.onResponseError?.(...args);
    }
}

const trackSend: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    const tracker = (opts as unknown as Record<string, unknown>)[SEND_TRACKER] as SendTracker | undefined;
    return dispatch(opts, tracker ? new SendTrackingHandler(handler, tracker) : handler);
};

// ---- the transport --------------------------------------------------------------------------------------------

class AttemptTimeout extends Error {
    readonly code = "ETIMEDOUT";
    constructor(ms: number) {
        super(`no answer within ${ms} ms`);
        this.name = "AttemptTimeout";
    }
}

function trustedCas(extra: TransportOptions["ca"]): Array<string | Buffer> | undefined {
    if (extra === undefined) return undefined; // Node's defaults, NODE_EXTRA_CA_CERTS included
    // `ca` replaces Node's list, so start from it: the defaults plus NODE_EXTRA_CA_CERTS, then ours.
    const base =
        typeof tls.getCACertificates === "function" ? tls.getCACertificates("default") : [...tls.rootCertificates];
    return [...base, ...(Array.isArray(extra) ? extra : [extra])];
}

export class Transport {
    private readonly agent: ProxyDispatcher;
    private readonly dispatcher: Dispatcher;
    private readonly ca: Array<string | Buffer> | undefined;
    private readonly proxy: ProxyEnv;

    constructor(options: TransportOptions = {}) {
        this.proxy = options.proxy ?? ProxyEnv.none();
        const ca = trustedCas(options.ca);
        this.ca = ca;
        this.agent = new ProxyDispatcher(this.proxy, {
            keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
            connectTimeout: options.connectTimeoutMs ?? 10_000,
            maxResponseSize: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
            // Certificates are always verified; only the trust list can be extended.
            requestTls: ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: true },
        });
        this.dispatcher = this.agent.compose(trackSend);
    }

    async send(a: Attempt): Promise<AttemptResult> {
        const tracker: SendTracker = { sent: false };
        const controller = new AbortController();
        let timedOut = false;
        let sentWhenTimedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            sentWhenTimedOut = tracker.sent;
            controller.abort(new AttemptTimeout(a.timeoutMs));
        }, a.timeoutMs);
        // undici only notices an abort once the request is dispatched on a connection; racing against the signal
        // makes the timeout hold while connecting too.
        const aborted = new Promise<never>((_, reject) => {
            controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
        });
        aborted.catch(() => undefined);

        try {
            const options = {
                origin: a.origin,
                path: a.path,
                method: a.method,
                headers: a.headers,
                body: a.body,
                signal: controller.signal,
                // Backstops only; the attempt timer above decides.
                headersTimeout: a.timeoutMs + 1000,
                bodyTimeout: a.timeoutMs + 1000,
                [SEND_TRACKER]: tracker,
            } as Dispatcher.RequestOptions;
            const pending = this.dispatcher.request(options);
            pending.catch(() => undefined);
            const res = await Promise.race([pending, aborted]);
            const text = await Promise.race([res.body.text(), aborted]);
            return { ok: true, status: res.statusCode, headers: flattenHeaders(res.headers), bodyText: text };
        } catch (error) {
            return { ok: false, error, sent: timedOut ? sentWhenTimedOut : tracker.sent, timedOut };
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * A TLS handshake with `origin` under this transport's trust, for diagnosis only (nothing is sent over it):
     * the error code when the certificate is refused (untrusted issuer, wrong name, expired), else undefined.
     * @azure/identity reports a certificate problem with the authority as a bare "endpoints_resolution_error".
     * Behind a proxy the handshake goes through it too (throughProxy).
     */
    async certificateProblem(origin: string, timeoutMs = 2000): Promise<NetworkProblem | undefined> {
        let url: URL;
        try {
            url = new URL(origin);
        } catch {
            return undefined;
        }
        if (url.protocol !== "https:") return undefined;
        const route = this.proxy.route(url);
        if (route.kind === "proxy") return this.throughProxy(url, route.proxy, timeoutMs);
        const host = url.hostname.replace(/^\[|\]$/g, "");
        return new Promise((resolve) => {
            const socket = tls.connect({
                host,
                port: Number(url.port || 443),
                servername: isIP(host) ? undefined : host,
                rejectUnauthorized: true,
                ...(this.ca ? { ca: this.ca } : {}),
            });
            const done = (result: { code: string; message: string } | undefined) => {
                clearTimeout(timer);
                socket.destroy();
                resolve(result);
            };
            const timer = setTimeout(() => done(undefined), timeoutMs);
            socket.once("secureConnect", () => done(undefined));
            socket.once("error", (err: NodeJS.ErrnoException) =>
                done(err.code ? { code: err.code, message: err.message } : undefined),
            );
        });
    }

    /**
     * The same diagnosis behind a proxy (a handshake of our own would go around it): one GET through the proxy.
     * A refused certificate is reported as above (a TLS-inspecting proxy's CA not trusted); a tunnel the proxy
     * refused or could not open is PROXY_TUNNEL, naming the proxy and its variable (never its credentials).
     */
    private async throughProxy(url: URL, proxy: ProxyServer, timeoutMs: number): Promise<NetworkProblem | undefined> {
        const signal = AbortSignal.timeout(timeoutMs);
        try {
            const res = await this.agent.request({ origin: url.origin, path: "/", method: "GET", signal });
            await res.body.dump();
            return undefined;
        } catch (err) {
            const tlsCode = tlsErrorCode(err);
            const e = err as { code?: string; message?: string; name?: string };
            if (tlsCode) return { code: tlsCode, message: e.message ?? tlsCode };
            if (signal.aborted) return undefined; // no verdict in time (undici names a refused tunnel AbortError too)
            return {
                code: PROXY_TUNNEL,
                message:
                    `The proxy ${proxy.url} (${proxy.variable}) did not open a tunnel to ${url.host}: ` +
                    `${e.message ?? e.code ?? "error"}. Check the proxy's address and credentials, or name the host in NO_PROXY`,
            };
        }
    }

    async close(): Promise<void> {
        await this.agent.close();
    }

    async destroy(): Promise<void> {
        await this.agent.destroy();
    }
}
