// Runs a provider the way the Pulumi engine does: @pulumi/pulumi's real dynamic-provider gRPC server in its own
// process, the provider serialized into `__provider`, properties Struct-encoded, secrets sent as plain values
// (the dynamic provider answers acceptSecrets=false). Serialization problems show up here, not in a user's `pulumi up`.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const statusPb = require("@pulumi/pulumi/proto/status_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PROVIDER_KEY = "__provider";

export type Props = Record<string, unknown>;

export interface StartOptions {
    env?: NodeJS.ProcessEnv;
    project?: string;
    cwd?: string;
    /** Register ts-node in the provider process (default true); false for providers serialized from compiled JS. */
    typescript?: boolean;
    /**
     * Start the process through our plugin launcher (scripts/pulumi/bin/pulumi-resource-pulumi-nodejs), exactly as
     * the real CLI does: its Node flags and ts-on-demand.js preload (`typescript` is then moot).
     * Default: node runs the dynamic-provider host directly, as @pulumi/pulumi's own launcher does.
     * A path: that copy of the launcher (e.g. from an installed package), finding the host from `cwd` on its own.
     */
    launcher?: boolean | string;
    /**
     * The engine address passed as the plugin's argument. Default: a gRPC server of the harness's own that answers
     * every call UNIMPLEMENTED (alive, as the provider's engine health check counts it), closed with the process.
     */
    engineAddress?: string;
}

/** The gRPC error of a failed call, with the "created but failed" details the engine would record. */
export class ProviderCallError extends Error {
    constructor(
        message: string,
        readonly initFailure?: { id: string; properties: Props; reasons: string[] },
    ) {
        super(message);
    }
}

export class DynamicProviderProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        readonly stderr: string[],
        readonly stdout: string[],
        private readonly engine: grpc.Server | undefined,
    ) {}

    static async start(opts: StartOptions = {}): Promise<DynamicProviderProcess> {
        const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
        // The provider may load this repository's TypeScript sources: ts-node on demand, as our plugin launcher does.
        const tsNode =
            opts.typescript === false ? [] : ["-r", path.join(REPO_ROOT, "scripts", "pulumi", "ts-on-demand.js")];
        const launcher =
            typeof opts.launcher === "string"
                ? opts.launcher
                : path.join(REPO_ROOT, "scripts", "pulumi", "bin", "pulumi-resource-pulumi-nodejs");
        const engine = opts.engineAddress === undefined ? new grpc.Server() : undefined;
        const engineAddress =
            opts.engineAddress ??
            `127.0.0.1:${await new Promise<number>((resolve, reject) =>
                engine!.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                    err ? reject(err) : resolve(p),
                ),
            )}`;
        // The launcher execs node, so the child's pid is the provider process's.
        const [command, args] = opts.launcher
            ? [launcher, [engineAddress]]
            : [process.execPath, ["--no-warnings", ...tsNode, entry, engineAddress]];
        const child = spawn(command, args, {
            cwd: opts.cwd ?? REPO_ROOT,
            env: {
                ...process.env,
                ...(opts.launcher === true
                    ? { CLOUDPC_NODE: process.execPath, CLOUDPC_DYNAMIC_PROVIDER_SCRIPT: entry }
                    : {}),
                ...opts.env,
                PULUMI_NODEJS_PROJECT: opts.project ?? "cloudpc-test",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const stderr: string[] = [];
        const stdout: string[] = [];
        child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            let buf = "";
            const onData = (d: Buffer) => {
                buf += d.toString();
                const m = /^(\d+)\s*$/m.exec(buf);
                if (m) {
                    child.stdout!.off("data", onData);
                    child.stdout!.on("data", (more: Buffer) => stdout.push(more.toString()));
                    resolve(m[1]);
                }
            };
            child.stdout!.on("data", onData);
            child.once("exit", (code) =>
                reject(new Error(`dynamic provider exited (${code}) before printing its port: ${stderr.join("")}`)),
            );
        });
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new DynamicProviderProcess(child, client, stderr, stdout, engine);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Resolves with the exit code when the process ends on its own. */
    exited(): Promise<number | null> {
        if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
        return new Promise((r) => this.child.once("exit", (code) => r(code)));
    }

    /** Sends the stack config, keys like "cloudpc:graphEndpoint", as the engine does before any other call. */
    async configure(config: Record<string, string>): Promise<void> {
        const req = new providerPb.ConfigureRequest();
        req.setArgs(Struct.fromJavaScript(config));
        await this.call("configure", req);
    }

    async check(
        urn: string,
        olds: Props,
        news: Props,
    ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new providerPb.CheckRequest();
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("check", req);
        return {
            inputs: res.getInputs().toJavaScript(),
            failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(
        id: string,
        urn: string,
        olds: Props,
        news: Props,
    ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }> {
        const req = new providerPb.DiffRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("diff", req);
        const changes = res.getChanges();
        const kinds = providerPb.DiffResponse.DiffChanges;
        return {
            changes: changes === kinds.DIFF_SOME ? "some" : changes === kinds.DIFF_NONE ? "none" : "unknown",
            replaces: res.getReplacesList(),
            deleteBeforeReplace: res.getDeletebeforereplace(),
        };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = new providerPb.CreateRequest();
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        const res = await this.call("create", req);
        return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    }

    async update(id: string, urn: string, olds: Props, news: Props): Promise<{ properties: Props }> {
        const req = new providerPb.UpdateRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("update", req);
        return { properties: res.getProperties().toJavaScript() };
    }

    async read(id: string, urn: string, properties: Props, inputs?: Props): Promise<{ id: string; properties: Props }> {
        const req = new providerPb.ReadRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        if (inputs) req.setInputs(Struct.fromJavaScript(inputs));
        const res = await this.call("read", req);
        return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {} };
    }

    async delete(id: string, urn: string, properties: Props): Promise<void> {
        const req = new providerPb.DeleteRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        await this.call("delete", req);
    }

    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((r) => this.child.once("exit", r));
            this.child.kill("SIGTERM");
            await exited;
        }
        this.engine?.forceShutdown();
    }

    private call(method: string, req: unknown): Promise<any> {
        return new Promise((resolve, reject) => {
            this.client[method](req, (err: grpc.ServiceError | null, res: any) => {
                if (err) reject(toCallError(err));
                else resolve(res);
            });
        });
    }
}

/** Decodes ErrorResourceInitFailed from grpc-status-details-bin, as the engine does. */
function toCallError(err: grpc.ServiceError): ProviderCallError {
    const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (bin) {
        const status = statusPb.Status.deserializeBinary(new Uint8Array(bin as Buffer));
        for (const any of status.getDetailsList()) {
            const detail = any.unpack(
                providerPb.ErrorResourceInitFailed.deserializeBinary,
                "pulumirpc.ErrorResourceInitFailed",
            );
            if (detail) {
                return new ProviderCallError(err.details, {
                    id: detail.getId(),
                    properties: detail.getProperties()?.toJavaScript() ?? {},
                    reasons: detail.getReasonsList(),
                });
            }
        }
    }
    return new ProviderCallError(err.details ?? err.message);
}

/** The text the SDK stores in `__provider` for this provider object. */
export async function serializeProvider(provider: object): Promise<string> {
    const sf = await serializeFunction(() => provider, { allowSecrets: true });
    return sf.text;
}
