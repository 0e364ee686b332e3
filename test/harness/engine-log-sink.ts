// A stand-in for the engine's Engine service, for tests that check what a provider process logs through it.
import * as grpc from "@grpc/grpc-js";

const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

/** A stand-in for the engine's Engine service: collects every log message a provider process sends. */
export async function startEngineLogSink(): Promise<{ address: string; messages: string[]; close(): Promise<void> }> {
    const messages: string[] = [];
    const server = new grpc.Server();
    const empty = (_call: unknown, cb: (err: null, res: unknown) => void) => cb(null, new Empty());
    server.addService(engineGrpc.EngineService, {
        log: (
            call: { request: { getMessage(): string; getSeverity(): number } },
            cb: (err: null, res: unknown) => void,
        ) => {
            messages.push(`[severity ${call.request.getSeverity()}] ${call.request.getMessage()}`);
            cb(null, new Empty());
        },
        getRootResource: empty,
        setRootResource: empty,
        startDebugging: empty,
        requirePulumiVersion: empty,
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
            err ? reject(err) : resolve(p),
        ),
    );
    return { address: `127.0.0.1:${port}`, messages, close: async () => server.forceShutdown() };
}
