// Several tenants in one stack, through the dynamic-provider gRPC server against one emulator holding two tenants:
// resources without `settings` sign in with cloudpc:*, those with `settings: "tenantB"` with tenantB:* only; each
// call (check, diff, create, read, delete) goes to the runtime of the inputs' or the state's namespace, so every
// import lands in, is read from and is purged in its own tenant.
import { strict as assert } from "node:assert";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { getImportedSnapshot } from "../../provider";
import { runtimes } from "../../provider/runtime/registry";
import { providerForEmulator, stackConfigFor } from "../harness/emulator-config";
import { startEngineLogSink } from "../harness/engine-log-sink";
import { type DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { CheckFailedError, MiniEngine } from "../harness/engine";
import { inputs, OTHER_USER } from "../fixtures";

const TENANT_B = "b0b0b0b0-1111-4222-8333-444455556666";
const CLIENT_B = "c1c1c1c1-1111-4222-8333-444455556666";
const SECRET_B = "tenantB~client-secret-CANARY-7f3e";

describe("several tenants in one stack (dynamic-provider host, one emulator with two tenants)", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let provider: DynamicProviderProcess;
    let engineLog: Awaited<ReturnType<typeof startEngineLogSink>>;
    let serialized: string;

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 300,
            tenants: [{ tenantId: TENANT_B, clients: [{ clientId: CLIENT_B, clientSecret: SECRET_B }] }],
        });
        engineLog = await startEngineLogSink();
        serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
        // The whole stack config, as the engine sends it: cloudpc:* for the default tenant, tenantB:* for the other.
        provider = await providerForEmulator(
            emulator,
            { "tenantB:tenantId": TENANT_B, "tenantB:clientId": CLIENT_B, "tenantB:clientSecret": SECRET_B },
            { PULUMI_NODEJS_ENGINE: engineLog.address },
        );
    });
    after(async () => {
        await provider?.close();
        await engineLog?.close();
        await emulator?.close();
    });

    it("imports into each resource's tenant, reads and purges there, and replaces on a change of tenant", async () => {
        const b = emulator.tenant(TENANT_B)!;
        const engine = new MiniEngine(provider, serialized);
        await engine.up([
            { name: "a", inputs: inputs({ assignedUserId: OTHER_USER }) },
            { name: "b", inputs: inputs({ settings: "tenantB" }) },
        ]);
        const a1 = engine.state.get("a")!;
        const b1 = engine.state.get("b")!;
        assert.equal(a1.outputs.settings, null);
        assert.equal(b1.outputs.settings, "tenantB");
        assert.equal(b1.outputs.importStatus, "succeeded");
        assert.deepEqual(
            emulator.imports.list().map((r) => r.snapshotId),
            [a1.id],
            "the default tenant holds only a",
        );
        assert.deepEqual(
            b.imports.list().map((r) => r.snapshotId),
            [b1.id],
            "tenant B holds only b",
        );
        const stats = emulator.stats();
        assert.ok((stats.byTenant[emulator.tenantId] ?? 0) > 0 && (stats.byTenant[TENANT_B] ?? 0) > 0);

        // Refresh reads each from its own tenant: b purged in tenant B is dropped, a stays.
        b.imports.remove(b1.id);
        assert.deepEqual(
            (await engine.refresh()).map((s) => s.op),
            ["same", "drop"],
        );

        // Moving a to tenant B replaces it: purged in the default tenant first (same user), imported in tenant B.
        const moved = await engine.up([
            { name: "a", inputs: inputs({ assignedUserId: OTHER_USER, settings: "tenantB" }) },
        ]);
        assert.deepEqual(
            moved.map((s) => s.op),
            ["delete", "create", "replace"],
        );
        const a2 = engine.state.get("a")!;
        assert.equal(emulator.imports.list().length, 0, "purged in the default tenant");
        assert.deepEqual(
            b.imports.list().map((r) => r.snapshotId),
            [a2.id],
        );

        // Destroy purges in tenant B (the state's settings).
        await engine.destroy();
        assert.equal(b.imports.list().length, 0);

        // Tenant B's secret is in no state, and the credential line names the namespace without any value.
        assert.ok(!engine.serializedState().includes(SECRET_B));
        await new Promise((r) => setTimeout(r, 200));
        const logs = [...provider.stdout, ...provider.stderr, ...engineLog.messages].join("\n");
        assert.ok(!logs.includes(SECRET_B), "tenant B's secret is in no log");
        assert.match(logs, /settings "tenantB" \(stack config tenantB:\*\): signing in with a client secret/);
        assert.match(logs, /clientSecret from stack config tenantB:clientSecret/);
    });

    it("functions read the tenant their namespace option names", async () => {
        const config: Record<string, string> = {
            ...stackConfigFor(emulator),
            "tenantB:tenantId": TENANT_B,
            "tenantB:clientId": CLIENT_B,
            "tenantB:clientSecret": SECRET_B,
        };
        const source = { get: (k: string) => config[k] };
        emulator.imports.clear();
        emulator.tenant(TENANT_B)!.imports.clear();
        const engine = new MiniEngine(provider, serialized);
        await engine.up([{ name: "b", inputs: inputs({ settings: "tenantB" }) }]);
        const id = engine.state.get("b")!.id;
        try {
            assert.equal(
                (await getImportedSnapshot({ snapshotId: id }, { config: source, namespace: "tenantB" }))?.snapshotId,
                id,
            );
            assert.equal(
                await getImportedSnapshot({ snapshotId: id }, { config: source }),
                null,
                "not in the default tenant",
            );
        } finally {
            await engine.destroy();
            await runtimes.closeAll();
        }
    });

    it("check refuses a namespace the stack config lacks or a name that is not one, on the settings input", async () => {
        const engine = new MiniEngine(provider, serialized);
        emulator.resetStats();
        await assert.rejects(
            engine.preview([{ name: "c", inputs: inputs({ settings: "tenantC" }) }]),
            (err: Error) =>
                err instanceof CheckFailedError &&
                err.failures.length === 1 &&
                err.failures[0]!.property === "settings" &&
                /tenantC:\*, which holds no sign-in setting/.test(err.failures[0]!.reason) &&
                /pulumi config set tenantC:clientId/.test(err.failures[0]!.reason),
        );
        await assert.rejects(
            engine.preview([{ name: "d", inputs: inputs({ settings: "tenant:B" }) }]),
            (err: Error) => err instanceof CheckFailedError && err.failures[0]!.property === "settings",
        );
        assert.equal(emulator.stats().total, 0, "check alone never signs in nor calls Graph");
    });
});
