// Several tenants in one stack through the REAL Pulumi CLI (Automation API, inline program, local backend) against
// one emulator holding two tenants: one `pulumi up` of two CloudPcImportedSnapshots, one signing in with cloudpc:*
// and one with `settings: "tenantB"` (tenantB:*, its client secret a secret config value). Each import must land in
// its own tenant, and destroy must purge each from its own tenant.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { importsProgram } from "../harness/inline-program";
import { inputs, OTHER_USER, USER } from "../fixtures";

const TENANT_B = "b0b0b0b0-1111-4222-8333-444455556666";
const CLIENT_B = "c1c1c1c1-1111-4222-8333-444455556666";
const SECRET_B = "tenantB~e2e-client-secret-CANARY-91d2";

describe("e2e: several tenants in one stack (real Pulumi CLI, one emulator with two tenants)", function () {
    this.timeout(180_000);
    let emulator: Emulator;
    let test: TestStack;
    let stack: Stack;

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 600,
            tenants: [{ tenantId: TENANT_B, clients: [{ clientId: CLIENT_B, clientSecret: SECRET_B }] }],
        });
        test = await testStack({
            project: "cloudpc-e2e-tenants",
            stack: "tenants",
            target: emulator,
            config: {
                "tenantB:tenantId": { value: TENANT_B },
                "tenantB:clientId": { value: CLIENT_B },
                "tenantB:clientSecret": { value: SECRET_B, secret: true },
            },
        });
        stack = test.stack;
    });

    after(async () => {
        try {
            await test?.dispose();
        } finally {
            await emulator?.close();
        }
    });

    it("one up imports into both tenants, each in its own; destroy purges each from its own", async () => {
        const tenantB = emulator.tenant(TENANT_B)!;
        let output = "";
        const up = await stack.up({
            program: importsProgram({
                home: inputs({ assignedUserId: USER }),
                other: inputs({ assignedUserId: OTHER_USER, settings: "tenantB" }),
            }),
            onOutput: (s) => (output += s),
        });
        assert.equal(up.summary.result, "succeeded", output);
        const home = up.outputs.home!.value as string;
        const other = up.outputs.other!.value as string;

        assert.deepEqual(
            emulator.imports.list().map((r) => [r.snapshotId, r.assignedUserId, r.importStatus]),
            [[home, USER, "succeeded"]],
            "the default tenant holds the default resource's import only",
        );
        assert.deepEqual(
            tenantB.imports.list().map((r) => [r.snapshotId, r.assignedUserId, r.importStatus]),
            [[other, OTHER_USER, "succeeded"]],
            "tenant B holds the tenantB resource's import only",
        );
        assert.ok((emulator.stats().byTenant[TENANT_B] ?? 0) > 0);

        // The state files hold tenant B's client secret only encrypted (the engine keeps the stack config, secrets
        // encrypted, with the dynamic provider), and each resource records the settings it was made with.
        const backend = new URL(stack.workspace.envVars.PULUMI_BACKEND_URL!).pathname;
        const files = fs.readdirSync(backend, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
        assert.ok(files.length > 0);
        for (const f of files) {
            const text = fs.readFileSync(path.join(f.parentPath, f.name), "utf8");
            assert.ok(!text.includes(SECRET_B), `tenant B's secret in clear text in ${f.name}`);
        }
        const resources = (await stack.exportStack()).deployment.resources as {
            urn: string;
            outputs?: { settings?: unknown };
        }[];
        const settingsOf = (name: string) => resources.find((r) => r.urn.endsWith(`::${name}`))?.outputs?.settings;
        assert.equal(settingsOf("home"), null);
        assert.equal(settingsOf("other"), "tenantB");
        assert.ok(!output.includes(SECRET_B), "nor in the CLI's output");
        assert.match(output, /settings "tenantB" \(stack config tenantB:\*\): signing in with a client secret/);

        // A second up changes nothing in either tenant.
        emulator.resetStats();
        const again = await stack.up({
            program: importsProgram({
                home: inputs({ assignedUserId: USER }),
                other: inputs({ assignedUserId: OTHER_USER, settings: "tenantB" }),
            }),
        });
        assert.deepEqual(again.summary.resourceChanges, { same: 3 });
        assert.equal(emulator.stats().writes, 0);

        const destroyed = await stack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.equal(emulator.imports.get(home), undefined, "purged from the default tenant");
        assert.equal(tenantB.imports.get(other), undefined, "purged from tenant B");
        assert.equal(emulator.imports.list().length + tenantB.imports.list().length, 0);
    });
});
