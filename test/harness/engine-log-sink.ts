// A stand-in for the engine's Engine service, for tests that check what a provider process logs through it.
import * as grpc from "@grpc/grpc-js";

const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

/** One Log request as the engine received it. */
export interface Logged {
    severity: number;
    message: string;
    urn: string;
    ephemeral: boolean;
}

interface LogRequest {
    getSeverity(): number;
    getMessage(): string;
    getUrn(): string;
    getEphemeral(): boolean;
}

export interface EngineLogSink {
    address: string;
    /** Every Log request, in order. */
    logged: Logged[];
    /** The same, one line each: "[severity N] message". */
    readonly messages: string[];
    close(): Promise<void>;
}

/** Starts the stand-in on a loopback port; every other Engine method answers empty. */
export async function startEngineLogSink(): Promise<EngineLogSink> {
    const logged: Logged[] = [];
    const server = new grpc.Server();
    const empty = (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, new Empty());
    server.addService(engineGrpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<LogRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
            const r = call.request;
            logged.push({
                severity: r.getSeverity(),
                message: r.getMessage(),
                urn: r.getUrn(),
                ephemeral: r.getEphemeral(),
            });
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
    return {
        address: `127.0.0.1:${port}`,
        logged,
        get messages() {
            return logged.map((l) => `[severity ${l.severity}] ${l.message}`);
        },
        close: async () => server.forceShutdown(),
    };
}
