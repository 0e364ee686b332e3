// A stack that already configures the azuread provider needs nothing new, through the REAL Pulumi CLI: the engine
// hands the dynamic provider the `azuread:*` stack config (the password as a secret), the provider converts the
// PKCS#12 file in memory and signs in with it at the emulator's authority, and a client secret left in the
// environment is not used. The log says which credential and where its settings came from, without values.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { ensureClientCertificate } from "../../emulator/certs";
import { CloudPcImportedSnapshot, type CloudPcImportedSnapshotArgs } from "../../provider";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { inputs } from "../fixtures";

const CERT_CLIENT = "6b7c8d9e-0000-4000-8000-0000000e2e71";
const PASSWORD = "pfx-Password-e2e-canary-4c2a";
const AMBIENT_SECRET = "ambient-secret-e2e-canary-77b0";

describe("e2e: azuread:* stack config and a .pfx certificate (real Pulumi CLI)", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    let t: TestStack;
    let dir: string;

    before(async () => {
        const cert = ensureClientCertificate();
        emulator = await startEmulator({
            importDurationMs: 300,
            clients: [{ clientId: CERT_CLIENT, certificatePem: cert.certificatePem }],
        });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-e2e-pfx-"));
        const pfx = path.join(dir, "app.pfx");
        const args = ["pkcs12", "-export", "-inkey", cert.keyPath, "-in", cert.certPath, "-out", pfx];
        execFileSync("openssl", [...args, "-passout", `pass:${PASSWORD}`]);
        t = await testStack({
            project: "cloudpc-e2e-azuread",
            stack: "azuread",
            target: emulator,
            cloudpcConfig: false,
            // Ambient, and wrong: stack config must win over it.
            env: { ARM_CLIENT_SECRET: AMBIENT_SECRET },
            config: {
                "azuread:tenantId": { value: emulator.tenantId },
                "azuread:clientId": { value: CERT_CLIENT },
                "azuread:clientCertificatePath": { value: pfx },
                "azuread:clientCertificatePassword": { value: PASSWORD, secret: true },
            },
        });
    });

    after(async () => {
        try {
            await t?.dispose();
        } finally {
            await emulator?.close();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("imports signed in with the certificate azuread:* names, and says so", async () => {
        const events: EngineEvent[] = [];
        let output = "";
        const result = await t.stack.up({
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
            .map((tok) => JSON.parse(Buffer.from(tok.split(".")[1]!, "base64url").toString()).appid as string);
        assert.ok(appIds.length > 0 && appIds.every((id) => id === CERT_CLIENT), "signed in as the certificate's app");

        const logged = [output, ...events.map((e) => JSON.stringify(e))].join("\n");
        assert.match(
            logged,
            /signing in with a client certificate: clientCertificatePath from stack config azuread:clientCertificatePath, clientCertificatePassword from stack config azuread:clientCertificatePassword, tenantId from stack config azuread:tenantId, clientId from stack config azuread:clientId\. Not used: clientSecret from env ARM_CLIENT_SECRET/,
        );
        for (const canary of [PASSWORD, AMBIENT_SECRET]) assert.ok(!logged.includes(canary), `${canary} was logged`);
    });
});
