// The storage emulator Azurite (npm devDependency), started as a child process over HTTPS (the emulator's test
// certificate, emulator/certs.ts) with its OAuth mode, so the provider's blob reads meet real storage answers.
// In front of it, a small HTTPS proxy injects the refusals Azurite does not model (firewall, IP-bound, RBAC).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ensureCertificates } from "../../emulator/certs";

/** Azurite's well-known development account (public, documented by Azurite). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
    /** https://127.0.0.1:port (Azurite itself). */
    origin: string;
    close(): Promise<void>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

export async function startAzurite(): Promise<Azurite> {
    const certs = ensureCertificates();
    const port = await freePort();
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-azurite-"));
    const main = require.resolve("azurite/dist/src/blob/main.js");
    const child: ChildProcess = spawn(
        process.execPath,
        [
            main,
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            String(port),
            "--cert",
            certs.certPath,
            "--key",
            certs.keyPath,
            "--oauth",
            "basic",
            "--inMemoryPersistence",
            "--extentMemoryLimit",
            "64",
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--loose",
        ],
        { stdio: ["ignore", "pipe", "pipe"], cwd: workspace },
    ); // cwd: whatever Azurite might write stays out of the repo
    const killOnExit = () => child.kill();
    process.once("exit", killOnExit); // a mocha --exit must not leave Azurite running
    child.once("exit", () => process.removeListener("exit", killOnExit));
    let output = "";
    child.stdout!.on("data", (d) => {
        output += String(d);
    });
    child.stderr!.on("data", (d) => {
        output += String(d);
    });
    await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`Azurite did not start in 30 s:\n${output}`));
        }, 30_000);
        const poll = setInterval(() => {
            if (/successfully listens on/i.test(output)) {
                clearTimeout(timer);
                clearInterval(poll);
                resolve();
            }
        }, 50);
        child.once("exit", (code) => {
            clearTimeout(timer);
            clearInterval(poll);
            reject(new Error(`Azurite exited ${code}:\n${output}`));
        });
    });
    return {
        origin: `https://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                child.once("exit", () => {
                    fs.rmSync(workspace, { recursive: true, force: true });
                    resolve();
                });
                child.kill();
            }),
    };
}

export interface StorageFault {
    /** Applies to requests whose path contains this text. */
    pathContains: string;
    status: number;
    code: string;
}

export interface FaultProxy {
    origin: string;
    faults: StorageFault[];
    /** The client port of every connection accepted (to check that clients came through a CONNECT proxy). */
    clientPorts: number[];
    close(): Promise<void>;
}

/** HTTPS proxy to Azurite that answers matching requests with a storage error instead of forwarding them. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
    const certs = ensureCertificates();
    const ca = fs.readFileSync(certs.caCertPath);
    const faults: StorageFault[] = [];
    const server = https.createServer(
        { cert: fs.readFileSync(certs.certPath), key: fs.readFileSync(certs.keyPath) },
        (req, res) => {
            const fault = faults.find((f) => (req.url ?? "").includes(f.pathContains));
            if (fault) {
                const body =
                    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${fault.code}</Code>` +
                    `<Message>Injected by the test's fault proxy.</Message></Error>`;
                res.writeHead(fault.status, { "content-type": "application/xml", "x-ms-error-code": fault.code });
                res.end(req.method === "HEAD" ? undefined : body);
                return;
            }
            const url = new URL(req.url ?? "/", target);
            const upstream = https.request(
                url,
                { method: req.method, headers: { ...req.headers, host: url.host }, ca },
                (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                },
            );
            upstream.on("error", () => {
                res.writeHead(502);
                res.end();
            });
            req.pipe(upstream);
        },
    );
    const clientPorts: number[] = [];
    server.on("connection", (socket: net.Socket) => clientPorts.push(socket.remotePort ?? 0));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        origin: `https://127.0.0.1:${port}`,
        faults,
        clientPorts,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
