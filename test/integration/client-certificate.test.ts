// A stack that already signs the azuread provider in with a PKCS#12 certificate needs nothing new: the provider
// process reads `azuread:*` stack config, converts the .pfx (OpenSSL 3 defaults, and `-legacy`) to PEM in memory, and
// the emulator's authority verifies the signed client assertion against the registered certificate. A client
// secret left in the environment is not used (stack config beats the environment), and the log says so.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { ensureClientCertificate } from "../../emulator/certs";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine } from "../harness/engine";
import { startEngineLogSink } from "../harness/engine-log-sink";
import { inputs } from "../fixtures";

const CERT_CLIENT = "5a6b7c8d-0000-4000-8000-0000000c3e71";
const PASSWORD = "pfx-Password-canary-7d1e";
const AMBIENT_SECRET = "ambient-secret-canary-91f3";

describe("PKCS#12 client certificates and azuread stack config, through the provider process", function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let sink: Awaited<ReturnType<typeof startEngineLogSink>>;
    let dir: string;
    const providers: DynamicProviderProcess[] = [];

    before(async () => {
        const cert = ensureClientCertificate();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pfx-"));
        const exportArgs = ["pkcs12", "-export", "-inkey", cert.keyPath, "-in", cert.certPath, "-passout"];
        execFileSync("openssl", [...exportArgs, `pass:${PASSWORD}`, "-out", path.join(dir, "app.pfx")]);
        execFileSync("openssl", [
            ...exportArgs,
            `pass:${PASSWORD}`,
            "-legacy",
            "-out",
            path.join(dir, "app-legacy.p12"),
        ]);
        emulator = await startEmulator({
            importDurationMs: 300,
            clients: [{ clientId: CERT_CLIENT, certificatePem: cert.certificatePem }],
        });
        sink = await startEngineLogSink();
    });
    // One import per user: each case starts from an empty tenant.
    beforeEach(() => emulator.imports.clear());
    after(async () => {
        for (const p of providers) await p.close();
        await sink?.close();
        await emulator?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function provider(
        config: Record<string, string>,
    ): Promise<{ engine: MiniEngine; proc: DynamicProviderProcess }> {
        const proc = await DynamicProviderProcess.start({
            engineAddress: sink.address,
            env: {
                // Ambient: a secret some other tool left behind, and no other sign-in settings.
                AZURE_CLIENT_SECRET: AMBIENT_SECRET,
                ARM_CLIENT_SECRET: "",
                ARM_USE_OIDC: "",
                AZURE_FEDERATED_TOKEN_FILE: "",
                AZURE_TENANT_ID: "",
                AZURE_CLIENT_ID: "",
                CLOUDPC_GRAPH_ENDPOINT: emulator.graphEndpoint,
                CLOUDPC_AUTHORITY_HOST: emulator.authorityHost,
                CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
            },
        });
        providers.push(proc);
        await proc.configure(config);
        return { engine: new MiniEngine(proc, await serializeProvider(new CloudPcImportedSnapshotProvider())), proc };
    }

    const appIds = (): string[] =>
        emulator
            .issuedTokens()
            .map((t) => JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString()).appid as string);

    function everythingLogged(): string {
        return [...providers.flatMap((p) => [...p.stdout, ...p.stderr]), ...sink.messages].join("\n");
    }

    it("signs in with an OpenSSL 3 .pfx named by azuread:* stack config, ignoring the ambient secret", async () => {
        const { engine, proc } = await provider({
            "azuread:tenantId": emulator.tenantId,
            "azuread:clientId": CERT_CLIENT,
            "azuread:clientCertificatePath": path.join(dir, "app.pfx"),
            "azuread:clientCertificatePassword": PASSWORD,
        });
        await engine.up([{ name: "pfx", inputs: inputs() }]);
        assert.equal(engine.state.get("pfx")!.outputs.importStatus, "succeeded");
        assert.ok(
            appIds().length > 0 && appIds().every((id) => id === CERT_CLIENT),
            "signed in as the certificate's app",
        );

        const output = [...proc.stdout, ...proc.stderr].join("");
        const choice = output.split("\n").filter((m) => /signing in with/.test(m));
        assert.deepEqual(choice, [
            "info: [runtime] cloudpc: signing in with a client certificate: " +
                "clientCertificatePath from stack config azuread:clientCertificatePath, " +
                "clientCertificatePassword from stack config azuread:clientCertificatePassword, " +
                "tenantId from stack config azuread:tenantId, clientId from stack config azuread:clientId. " +
                "Not used: clientSecret from env AZURE_CLIENT_SECRET (stack config azuread:clientCertificatePath " +
                "selects a client certificate, and stack config beats the environment).",
        ]);
        for (const canary of [PASSWORD, AMBIENT_SECRET]) assert.ok(!everythingLogged().includes(canary), canary);
    });

    it("signs in with a -legacy .p12 under cloudpc:* keys", async () => {
        const before = appIds().length;
        const { engine } = await provider({
            "cloudpc:tenantId": emulator.tenantId,
            "cloudpc:clientId": CERT_CLIENT,
            "cloudpc:clientCertificatePath": path.join(dir, "app-legacy.p12"),
            "cloudpc:clientCertificatePassword": PASSWORD,
        });
        await engine.up([{ name: "legacy", inputs: inputs() }]);
        assert.equal(engine.state.get("legacy")!.outputs.importStatus, "succeeded");
        assert.ok(appIds().length > before, "a new token was issued");
        assert.ok(appIds().every((id) => id === CERT_CLIENT));
    });

    it("a wrong password stops with an error naming the setting, without the password", async () => {
        const wrong = `${PASSWORD}-wrong`;
        const { engine } = await provider({
            "azuread:tenantId": emulator.tenantId,
            "azuread:clientId": CERT_CLIENT,
            "azuread:clientCertificatePath": path.join(dir, "app.pfx"),
            "azuread:clientCertificatePassword": wrong,
        });
        const err = await engine.up([{ name: "wrong", inputs: inputs() }]).then(
            () => assert.fail("signed in with a wrong password"),
            (e: unknown) => e as Error,
        );
        assert.match(err.message, /cloudpc:clientCertificatePassword/);
        assert.match(err.message, /from stack config azuread:clientCertificatePassword does not open the PKCS#12 file/);
        assert.ok(!err.message.includes(wrong) && !everythingLogged().includes(wrong), "the password leaked");
    });
});
