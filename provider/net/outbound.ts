// What a runtime sends its non-Graph requests through (Entra tokens, the CI runner's ID tokens, storage reads): one
// undici dispatcher routed by the same ProxyEnv as the Graph client's transport, in the three shapes the callers
// take (@azure's HttpClient, fetch, the dispatcher itself).
import { fetch as undiciFetch } from "undici";
import { dispatcherHttpClient, storageHttpClient, type HttpClient } from "./azure-http-client";
import { ProxyDispatcher } from "./proxy-dispatcher";
import type { ProxyEnv } from "./proxy-env";

export interface Outbound {
    readonly proxy: ProxyEnv;
    readonly dispatcher: ProxyDispatcher;
    /** For @azure/identity credentials and @azure/storage-blob clients (`httpClient` option). */
    readonly httpClient: HttpClient;
    /** The same client in the shape @azure/storage-blob takes. */
    readonly storageHttpClient: ReturnType<typeof storageHttpClient>;
    /** fetch over the same dispatcher (Node's global fetch would ignore the proxy). */
    readonly fetch: typeof fetch;
    close(): Promise<void>;
}

export function createOutbound(proxy: ProxyEnv): Outbound {
    const dispatcher = new ProxyDispatcher(proxy, { keepAliveTimeout: 30_000, connectTimeout: 10_000 });
    const routedFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
        undiciFetch(input as Parameters<typeof undiciFetch>[0], {
            ...(init as Parameters<typeof undiciFetch>[1]),
            dispatcher,
        })) as unknown as typeof fetch;
    const httpClient = dispatcherHttpClient(dispatcher);
    return {
        proxy,
        dispatcher,
        httpClient,
        storageHttpClient: storageHttpClient(httpClient),
        fetch: routedFetch,
        close: () => dispatcher.close(),
    };
}
