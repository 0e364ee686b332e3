// The provider process exits soon after its engine is gone (provider/runtime/engine-watch.ts): a gRPC health check
// on the engine's address, as Pulumi's own plugins do, never through an https_proxy. Checked against a gRPC server
// standing in for the engine: in-process, and with the real dynamic-provider process.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { engineAddress, watchEngine } from "../../provider/runtime/engine-watch";
import { CloudPcImportedSnapshotProvider } from "../../provider/resources/imported-snapshot/provider";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { inputs } from "../fixtures";

/** A stand-in engine: answers grpc.health.v1.Health/Check (SERVING) and counts the checks. */
async function fakeEngine(): Promise<{ address: string; checks: () => number; stop: () => void }> {
    let checks = 0;
    const server = new grpc.Server();
    const identity = (b: Buffer) => b;
    server.addService(
        {
            Check: {
                path: "/grpc.health.v1.Health/Check",
                requestStream: false,
                responseStream: false,
                requestSerialize: identity,
                requestDeserialize: identity,
                responseSerialize: identity,
                responseDeserialize: identity,
            },
        },
        {
            Check: (_call: unknown, cb: (err: null, res: Buffer) => void) => {
                checks++;
                cb(null, Buffer.from([0x08, 0x01])); // HealthCheckResponse { status: SERVING }
            },
        },
    );
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
            err ? reject(err) : resolve(p),
        ),
    );
    return { address: `127.0.0.1:${port}`, checks: () => checks, stop: () => server.forceShutdown() };
}

async function until(what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!test()) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

describe("engine health watch: the provider exits soon after its engine is gone", function () {
    this.timeout(60_000);

    it("finds the engine's address among the plugin's arguments (flags first)", () => {
        assert.equal(engineAddress(["127.0.0.1:4711"]), "127.0.0.1:4711");
        assert.equal(
            engineAddress(["--logtostderr", "-v=9", "--logflow", "--tracing", "http://127.0.0.1:9", "127.0.0.1:4711"]),
            "127.0.0.1:4711",
        );
        assert.equal(engineAddress(["--logtostderr"]), undefined);
    });

    it("keeps checking while the engine answers, even with an https_proxy set, and says so when it is gone", async () => {
        const engine = await fakeEngine();
        const saved = { https_proxy: process.env.https_proxy, grpc_proxy: process.env.grpc_proxy };
        // A proxy that refuses every connection: a check routed through it would fail.
        process.env.https_proxy = process.env.grpc_proxy = "http://127.0.0.1:1";
        let gone: string | undefined;
        const stop = watchEngine({
            address: engine.address,
            intervalMs: 50,
            failures: 2,
            onGone: (why) => (gone = why),
        });
        try {
            await until("three health checks", () => engine.checks() >= 3);
            assert.equal(gone, undefined, "alive while it answers");
            engine.stop();
            await until("the watch to notice", () => gone !== undefined);
            assert.match(gone!, new RegExp(`2 health checks of the engine at ${engine.address} failed`));
        } finally {
            stop();
            engine.stop();
            for (const [k, v] of Object.entries(saved))
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
        }
    });

    it("an engine without a health service (UNIMPLEMENTED) counts as alive", async () => {
        const server = new grpc.Server();
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        let gone = false;
        const stop = watchEngine({
            address: `127.0.0.1:${port}`,
            intervalMs: 30,
            failures: 1,
            onGone: () => (gone = true),
        });
        try {
            // About ten checks: one failed check would have been enough to end it.
            await new Promise((r) => setTimeout(r, 300));
            assert.equal(gone, false);
        } finally {
            stop();
            server.forceShutdown();
        }
    });

    it("the real dynamic-provider process exits once its engine is gone, not before", async () => {
        const engine = await fakeEngine();
        const provider = await DynamicProviderProcess.start({
            engineAddress: engine.address,
            env: {
                NODE_OPTIONS: [
                    process.env.NODE_OPTIONS,
                    `--require ${path.join(__dirname, "..", "harness", "fast-engine-check.js")}`,
                ]
                    .filter(Boolean)
                    .join(" "),
                https_proxy: "http://127.0.0.1:1",
                grpc_proxy: "http://127.0.0.1:1",
            },
        });
        try {
            await provider.configure({});
            // The host loads a resource's provider (and so calls its configure) on the first call that carries it.
            const serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
            await provider.check(
                "urn:pulumi:dev::p::pulumi-nodejs:dynamic:Resource::a",
                {},
                { ...inputs(), __provider: serialized },
            );
            await until("the provider's health checks", () => engine.checks() >= 3);
            const exit = provider.exited();
            engine.stop();
            assert.equal(await exit, 1);
            assert.match(provider.stderr.join(""), /the Pulumi engine is gone .*next pulumi up adopts them/);
        } finally {
            engine.stop();
            await provider.close();
        }
    });
});
