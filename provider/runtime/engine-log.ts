// The engine's Log service, so progress and warnings show on the resource's own row, the way native providers show
// them. The dynamic-provider host passes the provider no URN and no engine, but the plugin's first argument is the
// engine's address (engine-watch.ts) and the resource class sends its URN in the hidden input. Log with `urn` set
// and `ephemeral` is a status line on the row; without `ephemeral` a diagnostic counted in the CLI's summary.
// A local connection: never through an https_proxy (grpc-js honours it unless `grpc.enable_http_proxy: 0`).
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";

export type EngineSeverity = "debug" | "info" | "warning";

export interface EngineLog {
    /** Resolves true once the engine took the line, false when it could not (the caller then logs it as before). */
    log(severity: EngineSeverity, message: string, urn: string, ephemeral: boolean): Promise<boolean>;
    /** Resolves when every line asked for so far was answered. */
    sent(): Promise<void>;
}

/** Lines are sent one at a time, in order; each waits at most `timeoutMs` for the engine. */
export function engineLog(address: string, timeoutMs = 5_000): EngineLog {
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
    const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
    // Both already loaded by @pulumi/pulumi/log (runtime/settings.js): no extra cost in the provider process.
    const engrpc = fromPulumi("./proto/engine_grpc_pb") as EngineRpc;
    const engproto = fromPulumi("./proto/engine_pb") as EngineProto;
    let client: EngineClient | undefined;
    let last: Promise<unknown> = Promise.resolve();
    const severities = {
        debug: engproto.LogSeverity.DEBUG,
        info: engproto.LogSeverity.INFO,
        warning: engproto.LogSeverity.WARNING,
    };

    const send = (severity: EngineSeverity, message: string, urn: string, ephemeral: boolean) =>
        new Promise<boolean>((resolve) => {
            client ??= new engrpc.EngineClient(address, grpc.credentials.createInsecure(), {
                "grpc.enable_http_proxy": 0,
            });
            const req = new engproto.LogRequest();
            req.setSeverity(severities[severity]);
            req.setMessage(message);
            req.setUrn(urn);
            req.setEphemeral(ephemeral);
            client.log(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err) => resolve(!err));
        });

    return {
        log(severity, message, urn, ephemeral) {
            const done = last.then(() => send(severity, message, urn, ephemeral));
            last = done;
            return done;
        },
        sent: () => last.then(() => undefined),
    };
}

interface LogRequest {
    setSeverity(s: number): void;
    setMessage(m: string): void;
    setUrn(u: string): void;
    setEphemeral(e: boolean): void;
}
interface EngineProto {
    LogRequest: new () => LogRequest;
    LogSeverity: { DEBUG: number; INFO: number; WARNING: number };
}
interface EngineClient {
    log(
        req: LogRequest,
        md: grpcTypes.Metadata,
        opts: grpcTypes.CallOptions,
        cb: (err: grpcTypes.ServiceError | null) => void,
    ): void;
}
interface EngineRpc {
    EngineClient: new (
        address: string,
        creds: grpcTypes.ChannelCredentials,
        opts: grpcTypes.ChannelOptions,
    ) => EngineClient;
}
