// An undici dispatcher that sends each request direct or through a proxy as ProxyEnv decides for its origin: the
// normal Agent for direct origins, one undici ProxyAgent (CONNECT tunnels) per proxy otherwise.
//
// Not undici's EnvHttpProxyAgent: it takes one proxy per scheme and its own NO_PROXY rules, so it cannot be fed our
// per-URL decision without its rules coming back in (it would still match `example.com` and ports its own way).
import { Agent, Dispatcher, ProxyAgent } from "undici";
import { proxyAuthorization, type ProxyEnv } from "./proxy-env";

export interface ProxyDispatcherOptions extends Agent.Options {
    /** TLS options for the target servers (trust, verification), used direct and inside tunnels alike. */
    requestTls?: NonNullable<Agent.Options["connect"]> & object;
}

export class ProxyDispatcher extends Dispatcher {
    private readonly direct: Agent;
    private readonly proxied = new Map<string, ProxyAgent>();

    constructor(
        private readonly proxy: ProxyEnv,
        private readonly options: ProxyDispatcherOptions = {},
    ) {
        super();
        const { requestTls, ...agent } = options;
        this.direct = new Agent({ ...agent, ...(requestTls ? { connect: requestTls } : {}) });
    }

    /** The dispatcher that carries requests to `origin`. */
    dispatcherFor(origin: string | URL): Dispatcher {
        const route = this.proxy.route(origin);
        if (route.kind === "direct") return this.direct;
        const key = route.proxy.url;
        let agent = this.proxied.get(key);
        if (!agent) {
            const { requestTls, ...rest } = this.options;
            const token = route.proxy.credentials ? proxyAuthorization(route.proxy.credentials) : undefined;
            agent = new ProxyAgent({
                ...rest,
                uri: route.proxy.url, // no credentials in the URI: they go in `token` only
                ...(token ? { token } : {}),
                ...(requestTls ? { requestTls: requestTls as ProxyAgent.Options["requestTls"] } : {}),
                // Plain-http targets are tunnelled too, so a proxy sees one kind of request (CONNECT) for everything.
                proxyTunnel: true,
            });
            this.proxied.set(key, agent);
        }
        return agent;
    }

    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        if (!options.origin) throw new Error("ProxyDispatcher needs an origin on every request");
        return this.dispatcherFor(options.origin.toString()).dispatch(options, handler);
    }

    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
        const done = Promise.all([this.direct, ...this.proxied.values()].map((d) => d.close())).then(() => undefined);
        if (!callback) return done;
        void done.then(callback, callback);
    }

    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
        const err = typeof a === "function" ? null : (a ?? null);
        const callback = typeof a === "function" ? a : b;
        const done = Promise.all([this.direct, ...this.proxied.values()].map((d) => d.destroy(err))).then(
            () => undefined,
        );
        if (!callback) return done;
        void done.then(callback, callback);
    }
}
