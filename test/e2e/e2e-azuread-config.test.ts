// A stack that already configures the azuread provider needs nothing new, through the REAL Pulumi CLI: the engine
// hands the dynamic provider the `azuread:*` stack config (the password as a secret), the provider converts the
// PKCS#12 file in memory and signs in with it at the emulator's authority, and a client secret left in the
// environment is not used. The log says which credential and where its settings came from, without values.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { ensureClientCertificate } from "../../emulator/certs";
import { CloudPcImportedSnapshot, type CloudPcImportedSnapshotArgs } from "../../provider";
import { isolatedStackEnv, provisionedPulumi, REPO_ROOT } from "../../scripts/pulumi/automation";
import { inputs } from "../fixtures";

const PROJECT = "cloudpc-e2e-azuread";
const STACK = "azuread";
const CERT_CLIENT = "6b7c8d9e-0000-4000-8000-0000000e2e71";
const PASSWORD = "pfx-Password-e2e-canary-4c2a";
const AMBIENT_SECRET = "ambient-secret-e2e-canary-77b0";

describe("e2e: azuread:* stack config and a .pfx certificate (real Pulumi CLI)", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    let stack: Stack;
    const dirs: string[] = [];

    before(async () => {
        const pulumiCommand = await provisionedPulumi();
        const cert = ensureClientCertificate();
        emulator = await startEmulator({
            importDurationMs: 300,
            clients: [{ clientId: CERT_CLIENT, certificatePem: cert.certificatePem }],
        });
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-azuread-backend-"));
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-azuread-work-"));
        dirs.push(backend, workDir);
        const pfx = path.join(workDir, "app.pfx");
        execFileSync("openssl", [
            "pkcs12",
            "-export",
            "-inkey",
            cert.keyPath,
            "-in",
            cert.certPath,
            "-passout",
            `pass:${PASSWORD}`,
            "-out",
            pfx,
        ]);
        stack = await LocalWorkspace.createOrSelectStack(
            { projectName: PROJECT, stackName: STACK, program: async () => ({}) },
            {
                workDir,
                pulumiCommand,
                envVars: {
                    ...isolatedStackEnv(backend),
                    // Where Graph and Entra are: environment, since any cloudpc:* key would turn the fallback off.
                    CLOUDPC_GRAPH_ENDPOINT: emulator.graphEndpoint,
                    CLOUDPC_AUTHORITY_HOST: emulator.authorityHost,
                    // Ambient, and wrong: stack config must win over it.
                    AZURE_CLIENT_SECRET: AMBIENT_SECRET,
                },
            },
        );
        await stack.setAllConfig({
            "azuread:tenantId": { value: emulator.tenantId },
            "azuread:clientId": { value: CERT_CLIENT },
            "azuread:clientCertificatePath": { value: pfx },
            "azuread:clientCertificatePassword": { value: PASSWORD, secret: true },
        });
        assert.equal(process.cwd(), REPO_ROOT, "run the tests from the repository root (bash scripts/test.sh does)");
    });

    after(async () => {
        try {
            if (stack) await stack.destroy();
            if (stack) await stack.workspace.removeStack(STACK);
        } finally {
            await emulator?.close();
            for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
        }
    });

    it("imports signed in with the certificate azuread:* names, and says so", async () => {
        const events: EngineEvent[] = [];
        let output = "";
        const result = await stack.up({
            program: async () => ({
                id: new CloudPcImportedSnapshot("ci", inputs() as unknown as CloudPcImportedSnapshotArgs).snapshotId,
            }),
            onEvent: (e) => events.push(e),
            onOutput: (s) => (output += s),
        });
        assert.deepEqual(result.summary.resourceChanges, { create: 2 });
        assert.ok(result.outputs.id?.value, "an import id");
        const appIds = emulator
            .issuedTokens()
            .map((t) => JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString()).appid as string);
        assert.ok(appIds.length > 0 && appIds.every((id) => id === CERT_CLIENT), "signed in as the certificate's app");

        const logged = [output, ...events.map((e) => JSON.stringify(e))].join("\n");
        assert.match(
            logged,
            /signing in with a client certificate: clientCertificatePath from stack config azuread:clientCertificatePath, clientCertificatePassword from stack config azuread:clientCertificatePassword, tenantId from stack config azuread:tenantId, clientId from stack config azuread:clientId\. Not used: clientSecret from env AZURE_CLIENT_SECRET/,
        );
        for (const canary of [PASSWORD, AMBIENT_SECRET]) assert.ok(!logged.includes(canary), `${canary} was logged`);
    });
});
