// Mocha runs without --exit, so a server, socket, timer or child process a test leaves open keeps the run alive
// after the last test. This root hook plugin (.mocharc.json `require`) turns that hang into a failure that names
// what is left open, with Node's built-ins only. Set CLOUDPC_OPEN_HANDLES_TRACE=1 to also print where each was
// created (async_hooks; slower, so off by default).
import { createHook } from "node:async_hooks";
import type { ChildProcess } from "node:child_process";
import type { Server, Socket } from "node:net";
import type { RootHookObject } from "mocha";

/** How long the process may take to wind down after the last test before whatever still holds it is a leak. */
const GRACE_MS = Number(process.env.CLOUDPC_OPEN_HANDLES_GRACE_MS || 15_000);

const origins = new Map<number, { type: string; stack: string; resource: object }>();
if (process.env.CLOUDPC_OPEN_HANDLES_TRACE === "1") {
    createHook({
        init(asyncId, type, _trigger, resource) {
            if (type === "PROMISE" || type === "TickObject" || type === "Microtask") return;
            origins.set(asyncId, { type, stack: new Error().stack!.split("\n").slice(2).join("\n"), resource });
        },
        destroy(asyncId) {
            origins.delete(asyncId);
        },
    }).enable();
}

/** Node's undocumented handle list gives the objects, so a leak can be named (which server, which child). */
function handles(): unknown[] {
    const get = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
    return typeof get === "function" ? get.call(process) : [];
}

function describeHandle(h: unknown): string | undefined {
    const name = (h as object)?.constructor?.name ?? typeof h;
    if (h === process.stdout || h === process.stderr || h === process.stdin) return undefined;
    if (name === "ChildProcess") {
        const c = h as ChildProcess;
        return `child process ${c.pid}: ${c.spawnargs.join(" ").slice(0, 200)}`;
    }
    if (typeof (h as Server).listening === "boolean" && typeof (h as Server).address === "function") {
        return `${name} listening on ${JSON.stringify((h as Server).address())}`;
    }
    if (typeof (h as Socket).remotePort !== "undefined" || name === "Socket" || name === "TLSSocket") {
        const s = h as Socket;
        return `${name} ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}`;
    }
    return name;
}

export function openHandlesReport(): string {
    const lines = [`active resources: ${JSON.stringify(process.getActiveResourcesInfo())}`];
    for (const h of handles()) {
        const d = describeHandle(h);
        if (d) lines.push(`  - ${d}`);
    }
    for (const [, o] of origins) {
        if (o.type === "Timeout" && !(o.resource as { hasRef?: () => boolean }).hasRef?.()) continue;
        lines.push(`  created ${o.type} at\n${o.stack}`);
    }
    return lines.join("\n");
}

export const mochaHooks: RootHookObject = {
    afterAll() {
        // Unref'd: it fires only if something else still keeps the process alive this long after the last test.
        setTimeout(() => {
            process.stderr.write(
                `\nOpen handles: the process is still running ${GRACE_MS} ms after the last test; a test leaks ` +
                    `what follows (close it in an after/afterEach hook; CLOUDPC_OPEN_HANDLES_TRACE=1 shows where ` +
                    `each was created).\n${openHandlesReport()}\n`,
            );
            // Mocha's own exit handler sets the exit code from its failure count; this one runs after it.
            process.on("exit", () => {
                process.exitCode = 1;
            });
            process.exit(1);
        }, GRACE_MS).unref();
    },
};
