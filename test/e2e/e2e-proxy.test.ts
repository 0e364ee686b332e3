// Behind a proxy, through the REAL Pulumi CLI: `pulumi up` of one import with HTTPS_PROXY (and https_proxy, the
// name @grpc/grpc-js reads) pointing at a counting CONNECT proxy that demands credentials. The up succeeds, every
// connection the emulator accepted (token requests and Graph alike) came out of the proxy, no tunnel went anywhere
// but the emulator (none to the engine's or the provider's gRPC ports on 127.0.0.1), and the proxy's password is in
// neither the CLI's output nor the stack's state.
import { strict as assert } from "node:assert";
import type { Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { startConnectProxy, type ConnectProxy } from "../harness/connect-proxy";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { importsProgram } from "../harness/inline-program";
import { inputs } from "../fixtures";

const PROJECT = "cloudpc-e2e-proxy";
const STACK = "proxy";
const USER = "svc-proxy";
const CANARY = "e2e-proxy-canary-Pw-41d7";

describe("e2e: behind a proxy, every provider request crosses it (real Pulumi CLI)", function () {
    this.timeout(180_000);
    let emulator: Emulator;
    let proxy: ConnectProxy;
    let test: TestStack;
    let stack: Stack;
    let proxyUrl: string;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300 });
        proxy = await startConnectProxy({ credentials: { username: USER, password: CANARY } });
        proxyUrl = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
        test = await testStack({
            project: PROJECT,
            stack: STACK,
            target: emulator,
            // Both cases: the provider reads either, and @grpc/grpc-js (which the provider's own gRPC clients must
            // not let near it) reads only the lower-case one.
            env: {
                HTTPS_PROXY: proxyUrl,
                https_proxy: proxyUrl,
                NO_PROXY: "",
                no_proxy: "",
                no_grpc_proxy: "",
                grpc_proxy: "",
            },
        });
        stack = test.stack;
    });

    after(async () => {
        try {
            await test?.dispose();
        } finally {
            await proxy?.close();
            await emulator?.close();
        }
    });

    it("pulumi up of one import succeeds with every request through the proxy, none around it", async () => {
        let output = "";
        const up = await stack.up({ program: importsProgram({ a: inputs() }), onOutput: (s) => (output += s) });
        assert.equal(up.summary.result, "succeeded", output);
        assert.equal(up.summary.resourceChanges?.create, 2, output); // the stack and the import

        const emulatorTarget = new URL(emulator.graphEndpoint).host;
        assert.deepEqual([...proxy.tunnels.keys()], [emulatorTarget], "tunnels went to the emulator only");
        assert.ok(proxy.tunnelsTo(emulatorTarget) >= 1);
        assert.equal(proxy.refused.auth, 0, "every CONNECT carried the proxy's credentials");
        const stats = emulator.stats();
        assert.ok((stats.byRoute["POST token"] ?? 0) >= 1, "a token was requested");
        assert.ok((stats.byRoute["POST importSnapshot"] ?? 0) >= 1, JSON.stringify(stats.byRoute));
        const seen = emulator.clientSockets();
        assert.ok(seen.length >= 1);
        const around = seen.filter((s) => !proxy.outboundPorts.has(s.port));
        assert.deepEqual(around, [], "no connection reached the emulator except through the proxy");

        assert.doesNotMatch(output, new RegExp(CANARY));
        const state = JSON.stringify(await stack.exportStack());
        assert.doesNotMatch(state, new RegExp(CANARY));
    });

    /** An up with `env` in THIS process, where the inline program (and the SDK's gRPC clients to the engine) runs. */
    async function upWithProgramEnv(env: Record<string, string>): Promise<string[]> {
        const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
        Object.assign(process.env, env);
        proxy.tunnels.clear();
        try {
            const up = await stack.up({ program: importsProgram({ a: inputs() }) });
            assert.equal(up.summary.result, "succeeded");
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
        return [...proxy.tunnels.keys()];
    }

    it("the program's gRPC to the engine: the SDK's grpc-js tunnels it under https_proxy unless no_grpc_proxy names 127.0.0.1 (README)", async () => {
        const emulatorTarget = new URL(emulator.graphEndpoint).host;
        // What the README warns about: @grpc/grpc-js (in the program's process) reads https_proxy and skips no loopback.
        const unguarded = await upWithProgramEnv({ https_proxy: proxyUrl, no_grpc_proxy: "", no_proxy: "" });
        assert.ok(
            unguarded.some((t) => t !== emulatorTarget && t.startsWith("127.0.0.1:")),
            `expected the SDK's own tunnel to the engine: ${unguarded.join()}`,
        );
        // The README's fix: no_grpc_proxy is read by grpc-js only, so the provider's requests still use the proxy.
        const guarded = await upWithProgramEnv({
            https_proxy: proxyUrl,
            no_grpc_proxy: "127.0.0.1,localhost",
            no_proxy: "",
        });
        assert.ok(
            guarded.every((t) => t === emulatorTarget),
            guarded.join(),
        );
    });
});
