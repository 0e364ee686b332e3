// A real forward proxy for tests, as a corporate one behaves for HTTPS: it accepts only CONNECT (node:http's
// 'connect' event), optionally demands Basic Proxy-Authorization (407 otherwise), opens a TCP connection to the
// target and splices the two sockets. It counts tunnels per target and records the local port of each of its own
// outbound sockets, so a test can check on the server's side that every client connection came out of the proxy.
// With `inspect`, it behaves as a TLS-inspecting proxy: it ends the client's TLS itself with its own certificate
// (a corporate CA's) and opens a new TLS connection to the target.
import * as http from "node:http";
import * as net from "node:net";
import * as tls from "node:tls";

export interface ConnectProxy {
    /** http://127.0.0.1:port, no credentials. */
    readonly origin: string;
    readonly port: number;
    /** Tunnels opened, by the target `host:port` the client asked for. */
    readonly tunnels: Map<string, number>;
    /** The local port of every socket the proxy opened to a target. */
    readonly outboundPorts: Set<number>;
    /** CONNECTs refused for missing or wrong credentials (407), and plain requests refused (405). */
    readonly refused: { auth: number; notConnect: number };
    /** Tunnels to `host:port` so far (0 when none). */
    tunnelsTo(target: string): number;
    close(): Promise<void>;
}

export interface ConnectProxyOptions {
    /** When set, every CONNECT must carry `Proxy-Authorization: Basic base64(user:password)`. */
    credentials?: { username: string; password: string };
    /** Inspect TLS: answer clients with this key and certificate; reach targets trusting `upstreamCa`. */
    inspect?: { key: Buffer; cert: Buffer; upstreamCa: Buffer };
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
    const tunnels = new Map<string, number>();
    const outboundPorts = new Set<number>();
    const refused = { auth: 0, notConnect: 0 };
    const sockets = new Set<net.Socket>();
    const track = (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => s.destroy());
    };
    const expected = options.credentials
        ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString("base64")}`
        : undefined;

    const server = http.createServer((_req, res) => {
        refused.notConnect++;
        res.writeHead(405, { connection: "close" }).end("this proxy only tunnels (CONNECT)\n");
    });
    server.on("connection", track);
    server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        if (expected && req.headers["proxy-authorization"] !== expected) {
            refused.auth++;
            client.end(
                'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n' +
                    "Content-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        const target = req.url ?? "";
        const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
        if (!m) {
            client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        const host = m[1]!.replace(/^\[|\]$/g, "");
        const inspect = options.inspect;
        const upstream = inspect
            ? tls.connect({
                  host,
                  port: Number(m[2]),
                  ca: inspect.upstreamCa,
                  servername: net.isIP(host) ? undefined : host,
              })
            : net.connect(Number(m[2]), host);
        track(upstream);
        upstream.once(inspect ? "secureConnect" : "connect", () => {
            outboundPorts.add(upstream.localPort!);
            tunnels.set(target, (tunnels.get(target) ?? 0) + 1);
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length > 0) client.unshift(head);
            const inner = inspect
                ? new tls.TLSSocket(client, { isServer: true, key: inspect.key, cert: inspect.cert })
                : client;
            if (inner !== client) track(inner);
            upstream.pipe(inner);
            inner.pipe(upstream);
        });
        upstream.once("error", () => {
            if (client.writable)
                client.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        });
        client.once("close", () => upstream.destroy());
        upstream.once("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        origin: `http://127.0.0.1:${port}`,
        port,
        tunnels,
        outboundPorts,
        refused,
        tunnelsTo: (target) => tunnels.get(target) ?? 0,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}
