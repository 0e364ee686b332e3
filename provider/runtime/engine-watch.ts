// The provider process exits soon after the Pulumi engine that started it is gone. Without this, a killed `pulumi`
// CLI left the provider working on for minutes for nobody: it finished its waits and (before the notes outlived
// create) settled pending-import notes of imports the engine never recorded. Pulumi's own plugins do the same
// (sdk/go/common/util/rpcutil/health.go): the plugin's first non-flag argument is the engine's address, and a
// grpc.health.v1.Health/Check on it that fails means the engine is gone (UNIMPLEMENTED still means it answered).
//
// The check is a local connection: it must never go through an https_proxy / grpc_proxy, which grpc-js honours
// unless the channel says `grpc.enable_http_proxy: 0`.
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";

export interface EngineWatchOptions {
    address: string;
    /** Between checks; also each check's deadline. */
    intervalMs: number;
    /** Consecutive failed checks that mean the engine is gone. */
    failures: number;
    onGone(reason: string): void;
}

/** Default interval between checks (a runtime option changes it: registry.ts). */
export const DEFAULT_INTERVAL_MS = 5_000;
const HEALTH_CHECK = "/grpc.health.v1.Health/Check";

/** The engine's address among the plugin's arguments: the first that is not a flag (the engine may put
 * `--logtostderr`, `-v=N`, `--logflow` and `--tracing <endpoint>` first). */
export function engineAddress(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === "--tracing") i++;
        else if (!a.startsWith("-")) return a;
    }
    return undefined;
}

/** Starts the periodic check; returns a function that stops it. The timer never keeps the process alive. */
export function watchEngine(opts: EngineWatchOptions): () => void {
    const grpc = loadGrpc();
    const client = new grpc.Client(opts.address, grpc.credentials.createInsecure(), { "grpc.enable_http_proxy": 0 });
    let failed = 0;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
        if (stopped) return;
        timer = setTimeout(check, opts.intervalMs);
        timer.unref();
    };
    const check = () => {
        client.makeUnaryRequest(
            HEALTH_CHECK,
            () => Buffer.alloc(0),
            (b: Buffer) => b,
            Buffer.alloc(0),
            { deadline: Date.now() + opts.intervalMs },
            (err: grpcTypes.ServiceError | null) => {
                if (stopped) return;
                if (!err || err.code === grpc.status.UNIMPLEMENTED) failed = 0;
                else if (++failed >= opts.failures) {
                    stop();
                    opts.onGone(
                        `${failed} health checks of the engine at ${opts.address} failed (last: ${err.details || err.message})`,
                    );
                    return;
                }
                schedule();
            },
        );
    };
    const stop = () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        client.close();
    };
    schedule();
    return stop;
}

/** @grpc/grpc-js as @pulumi/pulumi has it (a dependency of it, not of this package). */
function loadGrpc(): typeof grpcTypes {
    try {
        return require("@grpc/grpc-js") as typeof grpcTypes;
    } catch {
        const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
        return fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
    }
}
