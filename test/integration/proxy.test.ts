// Behind a proxy: with HTTPS_PROXY set, the runtime's token requests, Graph requests and storage reads all tunnel
// through a real CONNECT proxy (test/harness/connect-proxy.ts) that demands credentials, and no connection bypasses
// it: every connection the emulator and the storage front accepted came from one of the proxy's own sockets.
// NO_PROXY patterns send the same requests direct. The proxy's password never shows in what the runtime logs.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { ensureCertificates } from "../../emulator/certs";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { createCredential } from "../../provider/config/credential";
import { resolveSettings } from "../../provider/config/settings";
import { readBlobTail } from "../../provider/preflight/blob-reader";
import { RecordingProgress } from "../../provider/runtime/progress";
import type { ProviderRuntime } from "../../provider/runtime/runtime";
import { startAzurite, startFaultProxy, type Azurite, type FaultProxy } from "../harness/azurite";
import { startConnectProxy, type ConnectProxy } from "../harness/connect-proxy";
import { serializeProvider } from "../harness/dynamic-provider";
import { providerForEmulator, runtimeForEmulator } from "../harness/emulator-config";
import { MiniEngine } from "../harness/engine";
import { inputs } from "../fixtures";
import { AzuriteTokenCredential, DevStorage, syntheticFixedVhd } from "../harness/storage-blobs";

const USER = "svc-proxy";
const CANARY = "proxy-canary-Pw-7f3a9c";
const USER_ID = "11111111-2222-3333-4444-555555555555";
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

describe("behind a proxy (HTTPS_PROXY, NO_PROXY)", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let azurite: Azurite;
    let storageFront: FaultProxy;
    let proxy: ConnectProxy;
    let runtime: ProviderRuntime | undefined;
    let saved: Record<string, string | undefined>;

    before(async () => {
        emulator = await startEmulator();
        azurite = await startAzurite();
        storageFront = await startFaultProxy(azurite.origin);
        const storage = new DevStorage(azurite.origin);
        await storage.container("vhds");
        await storage.putPageBlob("vhds", "good.vhd", syntheticFixedVhd());
    });
    after(async () => {
        await storageFront?.close();
        await azurite?.close();
        await emulator?.close();
    });
    beforeEach(async () => {
        saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
        for (const k of PROXY_VARS) delete process.env[k];
        proxy = await startConnectProxy({ credentials: { username: USER, password: CANARY } });
    });
    afterEach(async () => {
        await runtime?.close();
        runtime = undefined;
        await proxy.close();
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });

    const hostPort = (origin: string) => new URL(origin).host;
    const storageUrl = () => `${storageFront.origin}/devstoreaccount1/vhds/good.vhd`;

    /** One Graph call (with its token request) and one storage read, as the runtime makes them. */
    async function exercise(
        progress: RecordingProgress,
        overrides: Record<string, string> = {},
        target: Emulator = emulator,
    ): Promise<void> {
        runtime = runtimeForEmulator(target, { progress }, overrides);
        const user = await runtime.graph.request<{ id: string }>({
            method: "GET",
            path: `/users/${USER_ID}`,
            operation: "getUser",
        });
        assert.equal(user.status, 200);
        const read = await readBlobTail(storageUrl(), {
            credential: new AzuriteTokenCredential(),
            httpClient: runtime.network.storageHttpClient,
        });
        assert.equal(read.kind, "read", JSON.stringify(read));
    }

    /** Connections a server accepted since `from` that did not come from the proxy's own sockets. */
    const bypassing = (ports: number[]) => ports.filter((p) => !proxy.outboundPorts.has(p));

    it("tokens, Graph and storage all tunnel through the proxy, with its credentials; nothing goes around it", async () => {
        process.env.HTTPS_PROXY = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
        const emulatorBefore = emulator.clientSockets().length;
        const storageBefore = storageFront.clientPorts.length;
        const tokensBefore = emulator.stats().byRoute["POST token"] ?? 0;
        const progress = new RecordingProgress();

        await exercise(progress);

        assert.ok((emulator.stats().byRoute["POST token"] ?? 0) > tokensBefore, "a token was requested");
        assert.ok(proxy.tunnelsTo(hostPort(emulator.graphEndpoint)) >= 1, "tunnels to the authority and Graph");
        assert.ok(proxy.tunnelsTo(hostPort(storageFront.origin)) >= 1, "a tunnel to storage");
        assert.deepEqual(
            [...proxy.tunnels.keys()].sort(),
            [hostPort(emulator.graphEndpoint), hostPort(storageFront.origin)].sort(),
        );
        assert.equal(proxy.refused.auth, 0, "every CONNECT carried the proxy's credentials");
        assert.equal(proxy.refused.notConnect, 0);
        const emulatorSeen = emulator
            .clientSockets()
            .slice(emulatorBefore)
            .map((s) => s.port);
        const storageSeen = storageFront.clientPorts.slice(storageBefore);
        assert.ok(emulatorSeen.length >= 1 && storageSeen.length >= 1);
        assert.deepEqual(bypassing(emulatorSeen), [], "every connection to the emulator came out of the proxy");
        assert.deepEqual(bypassing(storageSeen), [], "every connection to storage came out of the proxy");

        const logged = progress.lines.join("\n");
        assert.match(
            logged,
            new RegExp(
                `outbound proxy: https http://127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY, with credentials\\)`,
            ),
        );
        assert.doesNotMatch(logged, new RegExp(CANARY));
        assert.equal(runtime!.redactor.redact(`x ${CANARY} y`), "x REDACTED y");
    });

    it("wrong proxy credentials: the call fails naming the proxy and its 407, with no password in the error", async () => {
        process.env.https_proxy = `http://${USER}:wrong-${CANARY}@127.0.0.1:${proxy.port}`;
        const progress = new RecordingProgress();
        const emulatorBefore = emulator.clientSockets().length;
        const err = await exercise(progress).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        assert.ok(err, "the call failed");
        assert.ok(proxy.refused.auth >= 1);
        // MSAL says only "endpoints_resolution_error"; the client's own look through the proxy says what happened.
        assert.match(
            err.message,
            new RegExp(
                `The proxy http://127\\.0\\.0\\.1:${proxy.port} \\(https_proxy\\) did not open a tunnel .*\\(407\\)`,
            ),
        );
        assert.doesNotMatch(`${err.message}\n${err.stack}\n${progress.lines.join("\n")}`, new RegExp(CANARY));
        assert.equal(emulator.clientSockets().length, emulatorBefore, "nothing reached the emulator around the proxy");
    });

    it("the CI runner's ID-token request (OIDC without a token file) goes through the proxy too", async () => {
        process.env.HTTPS_PROXY = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
        runtime = runtimeForEmulator(emulator, { progress: new RecordingProgress() });
        // The emulator stands in for the runner here: it answers 400, which is enough to see the request's path.
        const oidc = resolveSettings(
            {
                get: (k: string) =>
                    ({
                        "cloudpc:tenantId": emulator.tenantId,
                        "cloudpc:clientId": emulator.clientId,
                        "cloudpc:useOidc": "true",
                        "cloudpc:oidcRequestUrl": `${emulator.graphEndpoint}/runner/idtoken?api-version=2.0`,
                        "cloudpc:oidcRequestToken": "runner-request-token-0123",
                        "cloudpc:authorityHost": emulator.authorityHost,
                        "cloudpc:graphEndpoint": emulator.graphEndpoint,
                    })[k],
            },
            {},
        );
        const before = emulator.clientSockets().length;
        const { credential } = createCredential(oidc, runtime.redactor, runtime.network);
        const err = await credential.getToken(`${emulator.graphEndpoint}/.default`).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        assert.match(
            String(err?.message),
            /OIDC token endpoint https:\/\/127\.0\.0\.1:\d+\/runner\/idtoken answered 400/,
        );
        const seen = emulator
            .clientSockets()
            .slice(before)
            .map((c) => c.port);
        assert.ok(seen.length >= 1);
        assert.deepEqual(
            bypassing(seen),
            [],
            "the authority's discovery and the runner's request came out of the proxy",
        );
    });

    for (const [name, noProxy] of [
        ["an exact host", () => "127.0.0.1"],
        ["host:port of each server", () => `${hostPort(emulator.graphEndpoint)},${hostPort(storageFront.origin)}`],
        ["*", () => "*"],
    ] as const) {
        it(`NO_PROXY with ${name} sends tokens, Graph and storage direct`, async () => {
            process.env.HTTPS_PROXY = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
            process.env.NO_PROXY = noProxy();
            const emulatorBefore = emulator.clientSockets().length;
            await exercise(new RecordingProgress());
            assert.equal(proxy.tunnels.size, 0, [...proxy.tunnels.keys()].join());
            const seen = emulator
                .clientSockets()
                .slice(emulatorBefore)
                .map((s) => s.port);
            assert.ok(seen.length >= 1 && bypassing(seen).length === seen.length, "direct connections");
        });
    }

    it("NO_PROXY with a port that is not the server's still sends through the proxy", async () => {
        process.env.HTTPS_PROXY = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
        process.env.no_proxy = `127.0.0.1:1`;
        await exercise(new RecordingProgress());
        assert.ok(proxy.tunnelsTo(hostPort(emulator.graphEndpoint)) >= 1);
        assert.ok(proxy.tunnelsTo(hostPort(storageFront.origin)) >= 1);
    });

    it("NO_PROXY with a domain decides per URL: an emulator named localhost goes direct, storage tunnels", async () => {
        process.env.HTTPS_PROXY = `http://${USER}:${CANARY}@127.0.0.1:${proxy.port}`;
        process.env.NO_PROXY = ".localhost";
        const named = await startEmulator({ host: "localhost" });
        try {
            assert.match(named.graphEndpoint, /^https:\/\/localhost:\d+$/);
            await exercise(new RecordingProgress(), {}, named);
            assert.equal(proxy.tunnelsTo(hostPort(named.graphEndpoint)), 0);
            assert.ok(named.clientSockets().length >= 1);
            assert.ok(proxy.tunnelsTo(hostPort(storageFront.origin)) >= 1);
        } finally {
            await runtime?.close();
            runtime = undefined;
            await named.close();
        }
    });

    describe("a TLS-inspecting proxy (its own CA re-signs every site)", () => {
        let corpDir: string;
        let inspecting: ConnectProxy;
        let corpCa: string;

        beforeEach(async () => {
            // A second CA, unknown to this process: the "corporate" one the proxy re-signs with.
            corpDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-corp-ca-"));
            const corp = ensureCertificates(path.join(corpDir, "certs"));
            corpCa = corp.caCertPath;
            inspecting = await startConnectProxy({
                inspect: {
                    key: fs.readFileSync(corp.keyPath),
                    cert: fs.readFileSync(corp.certPath),
                    upstreamCa: fs.readFileSync(emulator.caCertPath),
                },
            });
        });
        afterEach(async () => {
            await inspecting.close();
            fs.rmSync(corpDir, { recursive: true, force: true });
        });

        it("untrusted: the sign-in fails saying to add the proxy's CA to NODE_EXTRA_CA_CERTS", async () => {
            process.env.HTTPS_PROXY = inspecting.origin;
            runtime = runtimeForEmulator(emulator, { progress: new RecordingProgress() });
            const err = await runtime.graph
                .request({ method: "GET", path: `/users/${USER_ID}`, operation: "getUser" })
                .then(
                    () => undefined,
                    (e: unknown) => e as Error,
                );
            assert.match(
                String(err?.message),
                /not trusted by Node\.js: add the CA that issued it to NODE_EXTRA_CA_CERTS/,
            );
            assert.ok(inspecting.tunnelsTo(hostPort(emulator.authorityHost)) >= 1);
        });

        it("trusted through NODE_EXTRA_CA_CERTS (its CA only): a provider process imports through it", async () => {
            const proc = await providerForEmulator(
                emulator,
                {},
                { HTTPS_PROXY: inspecting.origin, NODE_EXTRA_CA_CERTS: corpCa },
            );
            try {
                const engine = new MiniEngine(proc, await serializeProvider(new CloudPcImportedSnapshotProvider()));
                await engine.up([{ name: "inspected", inputs: inputs() }]);
                assert.equal(engine.state.get("inspected")!.outputs.importStatus, "succeeded");
                // The process trusts only the proxy's CA, so nothing could have reached the emulator around it.
                assert.ok(inspecting.tunnelsTo(hostPort(emulator.graphEndpoint)) >= 1);
                await engine.up([]); // the purge goes through the proxy too
            } finally {
                await proc.close();
            }
        });
    });
});
