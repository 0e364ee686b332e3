// Progress on the resource's row (runtime/engine-log.ts, runtime/progress.ts): against a real gRPC server that
// implements the engine's Log service, lines go with the resource's URN (info ephemeral, warnings not), redacted,
// past an https_proxy; without a URN, or when the engine does not answer, they go where they went before.
import { strict as assert } from "node:assert";
import { resolveSettings } from "../../provider/config/settings";
import { engineLog } from "../../provider/runtime/engine-log";
import { RecordingProgress } from "../../provider/runtime/progress";
import { ProviderRuntime } from "../../provider/runtime/runtime";
import { startEngineLogSink } from "../harness/engine-log-sink";

const IDS = { AZURE_TENANT_ID: "contoso.onmicrosoft.com", AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001" };
const SECRET = "super-secret-value-123";
const URN = "urn:pulumi:dev::fleet::pulumi-nodejs:dynamic/cloudpc:Snapshot::alice";

describe("progress on the resource's row (the engine's Log service)", () => {
    const proxy = process.env.https_proxy;
    before(() => (process.env.https_proxy = "http://127.0.0.1:9")); // nothing listens: a proxied call would fail
    after(() => (proxy === undefined ? delete process.env.https_proxy : (process.env.https_proxy = proxy)));

    it("sends info as a status line and warnings as warnings, with the URN, redacted, in order", async () => {
        const engine = await startEngineLogSink();
        try {
            const fallback = new RecordingProgress();
            const settings = resolveSettings(undefined, { ...IDS, AZURE_CLIENT_SECRET: SECRET });
            const runtime = new ProviderRuntime(settings, { progress: fallback, engineLog: engineLog(engine.address) });
            const progress = runtime.progressFor(URN);
            progress.info("Import 1: inProgress after 42s.");
            progress.warn(`bad secret ${SECRET} in https://a.blob.core.windows.net/c/b.vhd?sv=1&sig=AbCd%3D`);
            progress.debug("a debug line");
            await runtime.progressSent();
            assert.deepEqual(engine.logged, [
                { severity: 1, message: "Import 1: inProgress after 42s.", urn: URN, ephemeral: true },
                {
                    severity: 2,
                    message: "bad secret REDACTED in https://a.blob.core.windows.net/c/b.vhd?sv=1&sig=REDACTED",
                    urn: URN,
                    ephemeral: false,
                },
                { severity: 0, message: "a debug line", urn: URN, ephemeral: false },
            ]);
            assert.deepEqual(fallback.lines, []);
        } finally {
            await engine.close();
        }
    });

    it("without a URN, or when the engine does not answer, lines go to the runtime's progress as before", async () => {
        const engine = await startEngineLogSink();
        await engine.close();
        const fallback = new RecordingProgress();
        const runtime = new ProviderRuntime(resolveSettings(undefined, { ...IDS, AZURE_CLIENT_SECRET: SECRET }), {
            progress: fallback,
            engineLog: engineLog(engine.address, 500),
        });
        runtime.progressFor(undefined).info("no urn");
        runtime.progressFor(URN).warn(`engine gone ${SECRET}`);
        await runtime.progressSent();
        assert.deepEqual(fallback.lines, ["info: no urn", "warn: engine gone REDACTED"]);
    });
});
