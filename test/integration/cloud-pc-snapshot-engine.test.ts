// CloudPcSnapshot through @pulumi/pulumi's real dynamic-provider gRPC server, against the emulator: the path the
// Pulumi engine takes (serialized __provider, Struct-encoded outputs, init failures, parallel creates in one process).
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { EMULATOR_STORAGE_ACCOUNT, startEmulator, type Emulator } from "../../emulator";
import { CloudPcSnapshotProvider } from "../../provider";
import { providerForEmulator } from "../harness/emulator-config";
import {
    DynamicProviderProcess,
    PROVIDER_KEY,
    ProviderCallError,
    serializeProvider,
} from "../harness/dynamic-provider";
import { CheckFailedError, MiniEngine } from "../harness/engine";

const DOCUMENTED = [
    "cloudPcId",
    "status",
    "snapshotType",
    "healthCheckStatus",
    "createdDateTime",
    "expirationDateTime",
    "lastRestoredDateTime",
];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("engine-level: CloudPcSnapshot through the dynamic-provider gRPC server", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let provider: DynamicProviderProcess;
    let serialized: string;
    let engine: MiniEngine;
    const pc = (): string => randomUUID();

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 300 });
        serialized = await serializeProvider(new CloudPcSnapshotProvider());
        // Settings come from the stack config (cloudpc:*), as in a real stack; the process env holds no credentials.
        provider = await providerForEmulator(emulator);
    });
    after(async () => {
        await provider?.close();
        await emulator?.close();
    });
    beforeEach(() => {
        emulator.restorePoints.clear();
        emulator.faults.clear();
        emulator.resetStats();
        emulator.setOptions({ pendingSnapshotStatus: null, snapshotDurationMs: 300 });
        engine = new MiniEngine(provider, serialized);
    });

    it("serializes a small provider with no secret in it", () => {
        assert.ok(serialized.length < 3_072, `serialized provider is ${serialized.length} bytes`);
        assert.ok(serialized.includes('kind: "cloudPcSnapshot"'));
        assert.ok(!serialized.includes(emulator.clientSecret));
    });

    it("preview makes no writes; up takes and waits; a second up changes nothing", async () => {
        const id = pc();
        assert.deepEqual(
            (await engine.preview([{ name: "s", inputs: { cloudPcId: id } }])).map((s) => s.op),
            ["create"],
        );
        assert.equal(emulator.stats().writes, 0);
        await engine.up([{ name: "s", inputs: { cloudPcId: id } }]);
        const res = engine.state.get("s")!;
        assert.match(res.id, /^CPC_/);
        assert.equal(res.outputs.snapshotId, res.id);
        assert.equal(res.outputs.status, "ready");
        for (const key of DOCUMENTED) assert.ok(key in res.outputs, key);
        assert.equal(res.outputs[PROVIDER_KEY], serialized);
        const writes = emulator.stats().writes;
        assert.deepEqual(
            (await engine.up([{ name: "s", inputs: { cloudPcId: id, timeoutMinutes: 5 } }])).map((s) => s.op),
            ["same"],
        );
        assert.equal(emulator.stats().writes, writes);
    });

    it("a changed accessTier replaces create-first; the old restore point stays in Windows 365", async () => {
        const id = pc();
        const account = EMULATOR_STORAGE_ACCOUNT.storageAccountId;
        await engine.up([{ name: "s", inputs: { cloudPcId: id, storageAccountId: account } }]);
        const first = engine.state.get("s")!;
        assert.equal(first.outputs.accessTier, "hot");
        const steps = await engine.up([
            { name: "s", inputs: { cloudPcId: id, storageAccountId: account, accessTier: "cold" } },
        ]);
        assert.deepEqual(
            steps.map((s) => s.op),
            ["create", "delete", "replace"],
        );
        const second = engine.state.get("s")!;
        assert.notEqual(second.id, first.id);
        assert.equal(second.outputs.accessTier, "cold");
        assert.deepEqual(
            emulator.restorePoints
                .records(id)
                .map((r) => r.id)
                .sort(),
            [first.id, second.id].sort(),
            "Graph has no delete",
        );
    });

    it("creates racing in one provider process never share a restore point", async () => {
        const id = pc();
        emulator.faults.add({ route: "POST createSnapshot", delayMs: 1_200, times: 1 });
        const urn = (n: string) => engine.urn(n);
        const checked = await Promise.all(
            ["a", "b", "c"].map(async (n, i) => {
                const inputs =
                    i === 0
                        ? { cloudPcId: id, storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId }
                        : { cloudPcId: id };
                return (await provider.check(urn(n), {}, { ...inputs, [PROVIDER_KEY]: serialized })).inputs;
            }),
        );
        const created = await Promise.all(checked.map((inputs, i) => provider.create(urn(["a", "b", "c"][i]), inputs)));
        assert.equal(new Set(created.map((c) => c.id)).size, 3);
        const copies = new Map(emulator.restorePoints.records(id).map((r) => [r.id, r.storageCopies.length]));
        assert.deepEqual(
            created.map((c) => copies.get(c.id)),
            [1, 0, 0],
            "the copy is on the restore point of the resource that asked for it",
        );
    });

    it("refresh updates lastRestoredDateTime and drops an expired restore point", async () => {
        const [a, b] = [pc(), pc()];
        await engine.up([
            { name: "a", inputs: { cloudPcId: a } },
            { name: "b", inputs: { cloudPcId: b } },
        ]);
        emulator.restorePoints.expire(engine.state.get("a")!.id);
        const restored = engine.state.get("b")!.id;
        assert.ok(emulator.restorePoints.restore(b, restored));
        const steps = await engine.refresh();
        assert.deepEqual(
            steps.map((s) => s.op),
            ["drop", "same"],
        );
        assert.equal(engine.state.has("a"), false);
        assert.ok(engine.state.get("b")!.outputs.lastRestoredDateTime);
    });

    it("a restore point that outlives timeoutMinutes is recorded in state; the next up continues it", async () => {
        // Far longer than the 0.6 s timeout however slow the machine: the test finishes it between the two ups.
        emulator.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 3_600_000 });
        const id = pc();
        await assert.rejects(
            engine.up([{ name: "slow", inputs: { cloudPcId: id, timeoutMinutes: 0.01 } }]),
            (err: ProviderCallError) => {
                assert.ok(err.initFailure, "reported as created-but-failed");
                assert.match(err.message, /timeoutMinutes/);
                return true;
            },
        );
        const recorded = engine.state.get("slow")!;
        assert.match(recorded.id, /^CPC_/);
        assert.ok(recorded.outputs[PROVIDER_KEY], "the engine can still manage it");
        emulator.restorePoints.finish(recorded.id);
        assert.deepEqual(
            (await engine.up([{ name: "slow", inputs: { cloudPcId: id, timeoutMinutes: 0.01 } }])).map((s) => s.op),
            ["update"],
        );
        assert.equal(engine.state.get("slow")!.outputs.status, "ready");
        assert.equal(emulator.restorePoints.records(id).length, 1, "no second snapshot");
    });

    it("destroy leaves state, sends nothing to Graph, and the provider warns that the restore point stays", async () => {
        const id = pc();
        await engine.up([{ name: "s", inputs: { cloudPcId: id } }]);
        const snapshotId = engine.state.get("s")!.id;
        emulator.resetStats();
        await engine.destroy();
        assert.equal(engine.state.size, 0);
        assert.equal(emulator.stats().total, 0);
        assert.equal(emulator.restorePoints.records(id).length, 1);
        await sleep(100);
        const said = provider.stderr.join("") + provider.stdout.join("");
        assert.match(said, new RegExp(`${snapshotId}[^\n]*no API to delete`), said.slice(-2000));
    });

    it("check failures stop the run before Graph is called", async () => {
        await assert.rejects(
            engine.up([{ name: "x", inputs: { cloudPcId: pc(), accessTier: "cool" } }]),
            (err: CheckFailedError) => {
                assert.equal(err.failures[0].property, "accessTier");
                return true;
            },
        );
        assert.equal(emulator.stats().total, 0);
    });

    it("keeps the client secret and tokens out of state", async () => {
        await engine.up([{ name: "s", inputs: { cloudPcId: pc() } }]);
        const state = engine.serializedState();
        assert.ok(!state.includes(emulator.clientSecret));
        assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(state));
    });

    it("a restore point recorded by 0.1.0's provider text refreshes with it; the next up rewrites it with no Graph call", async () => {
        const OLD_TEXT = fs.readFileSync(
            path.join(__dirname, "..", "stored-providers", "0.1.0-cloud-pc-snapshot.txt"),
            "utf8",
        );
        const id = pc();
        const old = new MiniEngine(provider, OLD_TEXT);
        await old.up([{ name: "s", inputs: { cloudPcId: id } }]);
        assert.deepEqual(
            (await old.refresh()).map((s) => s.op),
            ["same"],
            "read through the 0.1.0 text",
        );
        const before = structuredClone(old.state.get("s")!);
        for (const [name, res] of old.state) engine.state.set(name, res);
        emulator.resetStats();
        assert.deepEqual(
            (await engine.up([{ name: "s", inputs: { cloudPcId: id } }])).map((s) => s.op),
            ["update"],
        );
        assert.equal(emulator.stats().total, 0, "no Graph call");
        const after = engine.state.get("s")!;
        assert.equal(after.outputs[PROVIDER_KEY], serialized);
        const { [PROVIDER_KEY]: _a, ...restAfter } = after.outputs;
        const { [PROVIDER_KEY]: _b, ...restBefore } = before.outputs;
        assert.deepEqual(restAfter, restBefore, "everything else as it was");
        assert.deepEqual(
            (await engine.up([{ name: "s", inputs: { cloudPcId: id } }])).map((s) => s.op),
            ["same"],
        );
    });
});
