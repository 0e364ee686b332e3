// The provider through @pulumi/pulumi's real dynamic-provider gRPC server, against the Graph emulator: the path
// the Pulumi engine takes (serialized __provider, Struct-encoded properties, plain secrets, init failures).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import { providerForEmulator } from "../harness/emulator-config";
import { DynamicProviderProcess, ProviderCallError, serializeProvider } from "../harness/dynamic-provider";
import { CheckFailedError, MiniEngine } from "../harness/engine";
import { blobFile, CAN_LIST, inputs, OTHER_USER, SAS_SIG, SAS_URL, USER } from "../fixtures";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe("engine-level: CloudPcImportedSnapshot through the dynamic-provider gRPC server", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let provider: DynamicProviderProcess;
    let serialized: string;
    let engine: MiniEngine;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 600, pageSize: 2 });
        serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
        // Settings come from the stack config (cloudpc:*), as in a real stack; the process env holds no credentials.
        provider = await providerForEmulator(emulator);
    });
    after(async () => {
        await provider?.close();
        await emulator?.close();
    });
    beforeEach(() => {
        emulator.imports.clear();
        emulator.faults.clear();
        emulator.resetStats();
        engine = new MiniEngine(provider, serialized);
    });

    it("serializes a small provider with no secret in it", () => {
        assert.ok(serialized.length < 3_072, `serialized provider is ${serialized.length} bytes`);
        assert.ok(!serialized.includes(emulator.clientSecret));
        console.log(`      serialized provider: ${serialized.length} bytes per resource`);
    });

    it("preview makes no writes to Graph", async () => {
        const plan = await engine.preview([{ name: "a", inputs: inputs() }]);
        assert.deepEqual(
            plan.map((s) => s.op),
            ["create"],
        );
        assert.equal(emulator.stats().writes, 0);
    });

    it("up imports and waits; a second up reports no change and calls no write", async () => {
        const steps = await engine.up([{ name: "a", inputs: inputs() }]);
        assert.equal(steps[0].op, "create");
        const res = engine.state.get("a")!;
        assert.match(res.id, GUID);
        assert.equal(res.outputs.importStatus, "succeeded");
        assert.equal(res.outputs.snapshotId, res.id);
        assert.equal(emulator.imports.get(res.id)?.importStatus, "succeeded");
        const writes = emulator.stats().writes;
        const again = await engine.up([{ name: "a", inputs: inputs() }]);
        assert.deepEqual(
            again.map((s) => s.op),
            ["same"],
        );
        assert.equal(emulator.stats().writes, writes);
    });

    it("a changed blob replaces delete-first: one import per user at every moment", async () => {
        await engine.up([{ name: "a", inputs: inputs() }]);
        const first = engine.state.get("a")!.id;
        const steps = await engine.up([{ name: "a", inputs: inputs({ sourceFiles: [blobFile("user1-os-v2.vhd")] }) }]);
        assert.deepEqual(
            steps.map((s) => s.op),
            ["delete", "create", "replace"],
        );
        const second = engine.state.get("a")!.id;
        assert.notEqual(second, first);
        assert.equal(emulator.imports.get(first), undefined, "the old import was purged");
        assert.equal(emulator.imports.byUser(USER).length, 1);
    });

    it("a changed user replaces create-first", async () => {
        await engine.up([{ name: "a", inputs: inputs() }]);
        const steps = await engine.up([{ name: "a", inputs: inputs({ assignedUserId: OTHER_USER }) }]);
        assert.deepEqual(
            steps.map((s) => s.op),
            ["create", "delete", "replace"],
        );
        assert.equal(emulator.imports.byUser(USER).length, 0);
        assert.equal(emulator.imports.byUser(OTHER_USER).length, 1);
    });

    it("refresh drops an import purged outside Pulumi and updates a live one", async () => {
        await engine.up([
            { name: "a", inputs: inputs() },
            { name: "b", inputs: inputs({ assignedUserId: OTHER_USER }) },
        ]);
        const a = engine.state.get("a")!.id;
        emulator.imports.markInUse(engine.state.get("b")!.id);
        emulator.imports.remove(a);
        const steps = await engine.refresh();
        assert.deepEqual(
            steps.map((s) => s.op),
            ["drop", "same"],
        );
        assert.equal(engine.state.has("a"), false);
        assert.equal(engine.state.get("b")!.outputs.usageStatus, "inUse");
    });

    it("adopts an existing import through adoptSnapshotId, with no second import", async () => {
        await engine.up([{ name: "a", inputs: inputs() }]);
        const existing = engine.state.get("a")!.id;
        const adopter = new MiniEngine(provider, serialized);
        emulator.resetStats();
        await adopter.up([{ name: "adopted", inputs: inputs({ adoptSnapshotId: existing }) }]);
        assert.equal(adopter.state.get("adopted")!.id, existing);
        assert.equal(emulator.stats().byRoute["POST importSnapshot"] ?? 0, 0);
    });

    it("a second import for a user names the existing snapshotId and how to adopt or purge it", async () => {
        await engine.up([{ name: "a", inputs: inputs() }]);
        const existing = engine.state.get("a")!.id;
        const other = new MiniEngine(provider, serialized);
        await assert.rejects(other.up([{ name: "dup", inputs: inputs() }]), (err: Error) => {
            // Only where Graph lists imports can the existing one be named; elsewhere the error says why not.
            assert.match(
                err.message,
                CAN_LIST ? new RegExp(existing) : /documents no call that lists a user's imports/,
            );
            assert.match(err.message, /adoptSnapshotId/);
            assert.match(err.message, /purgeImportedSnapshot/);
            assert.match(err.message, /HTTP 409/);
            assert.match(err.message, /request-id: [0-9a-f-]{36}/);
            return true;
        });
        assert.equal(other.state.size, 0);
    });

    it("a failing import leaves no record and reports Graph's additionalDetail", async () => {
        await assert.rejects(
            engine.up([{ name: "bad", inputs: inputs({ sourceFiles: [blobFile("corrupt-disk.vhd")] }) }]),
            (err: Error) => {
                assert.match(err.message, /not a fixed-size VHD/);
                assert.match(err.message, /purged/);
                assert.ok(!(err instanceof ProviderCallError && err.initFailure), "nothing recorded");
                return true;
            },
        );
        assert.equal(engine.state.size, 0);
        assert.equal(emulator.imports.byUser(USER).length, 0, "the user is not left blocked");
        await engine.up([{ name: "good", inputs: inputs() }]);
        assert.equal(engine.state.get("good")!.outputs.importStatus, "succeeded");
    });

    it("a user without a provisioning policy fails with the reason", async () => {
        emulator.setOptions({ users: [{ id: OTHER_USER, hasProvisioningPolicy: false }] });
        try {
            await assert.rejects(
                engine.up([{ name: "nopolicy", inputs: inputs({ assignedUserId: OTHER_USER }) }]),
                /provisioning policy/,
            );
        } finally {
            emulator.setOptions({ users: [] });
        }
    });

    it("an import that outlives timeoutMinutes is recorded in state, not orphaned", async () => {
        emulator.setOptions({ importDurationMs: 60_000 });
        try {
            await assert.rejects(
                engine.up([{ name: "slow", inputs: inputs({ timeoutMinutes: 0.01 }) }]),
                (err: ProviderCallError) => {
                    assert.ok(err.initFailure, "reported as created-but-failed");
                    assert.match(err.message, /timeoutMinutes/);
                    return true;
                },
            );
            const recorded = engine.state.get("slow")!;
            assert.ok(emulator.imports.get(recorded.id), "the recorded id is the live import");
            assert.ok(recorded.outputs.__provider, "the engine can still manage it");
            assert.equal(recorded.outputs.snapshotId, recorded.id);
            // The next up continues the recorded import (the engine's update step) instead of importing again.
            emulator.setOptions({ importDurationMs: 300 });
            emulator.imports.setStatus(recorded.id, "succeeded");
            const steps = await engine.up([{ name: "slow", inputs: inputs({ timeoutMinutes: 0.01 }) }]);
            assert.deepEqual(
                steps.map((s) => s.op),
                ["update"],
            );
            const resumed = engine.state.get("slow")!;
            assert.equal(resumed.id, recorded.id);
            assert.equal(resumed.outputs.importStatus, "succeeded");
            assert.equal(resumed.outputs.snapshotId, recorded.id);
            assert.equal(emulator.imports.byUser(USER).length, 1);
            await engine.destroy();
            assert.equal(emulator.imports.list().length, 0);
        } finally {
            emulator.setOptions({ importDurationMs: 600 });
        }
    });

    it("a dropped connection after Graph acted adopts the import instead of importing twice", async () => {
        emulator.faults.add({ route: "POST importSnapshot", drop: "after" });
        if (!CAN_LIST) {
            // Graph made the import, but offers no way to find its id: the create fails saying what to do.
            await assert.rejects(
                engine.up([{ name: "a", inputs: inputs() }]),
                /already has an imported snapshot.*documents no call that lists a user's imports.*adoptSnapshotId/s,
            );
            assert.equal(emulator.imports.byUser(USER).length, 1, "imported once, not twice");
            return;
        }
        await engine.up([{ name: "a", inputs: inputs() }]);
        assert.equal(emulator.imports.byUser(USER).length, 1);
        assert.equal(engine.state.get("a")!.id, emulator.imports.byUser(USER)[0].snapshotId);
    });

    it("waitForCompletion: false returns at once; refresh picks up the final status", async () => {
        // An import far slower than any pause of a loaded machine; then Graph finishes it (the emulator's control).
        emulator.setOptions({ importDurationMs: 600_000 });
        try {
            await engine.up([{ name: "a", inputs: inputs({ waitForCompletion: false }) }]);
        } finally {
            emulator.setOptions({ importDurationMs: 600 });
        }
        assert.notEqual(engine.state.get("a")!.outputs.importStatus, "succeeded");
        emulator.imports.setStatus(engine.state.get("a")!.id, "succeeded");
        await engine.refresh();
        assert.equal(engine.state.get("a")!.outputs.importStatus, "succeeded");
    });

    it("destroy purges everything; an import already gone is fine", async () => {
        await engine.up([
            { name: "a", inputs: inputs() },
            { name: "b", inputs: inputs({ assignedUserId: OTHER_USER }) },
        ]);
        emulator.imports.remove(engine.state.get("a")!.id);
        await engine.destroy();
        assert.equal(emulator.imports.list().length, 0);
        assert.equal(engine.state.size, 0);
    });

    it("check failures stop the run before Graph is called", async () => {
        await assert.rejects(
            engine.up([{ name: "x", inputs: inputs({ assignedUserId: "bob" }) }]),
            (err: CheckFailedError) => {
                assert.equal(err.failures[0].property, "assignedUserId");
                return true;
            },
        );
        assert.equal(emulator.stats().total, 0);
    });

    it("keeps the SAS URL's signature, the client secret and tokens out of state", async () => {
        await engine.up([{ name: "sas", inputs: inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }) }]);
        const state = engine.serializedState();
        // Stored outputs carry a redacted URL and a hash; inputs are what the engine encrypts as a secret.
        const outputs = JSON.stringify(engine.state.get("sas")!.outputs);
        assert.ok(!outputs.includes(SAS_SIG), "no signature in outputs");
        assert.ok(!state.includes(emulator.clientSecret), "no client secret");
        assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(state), "no bearer token");
        console.log(`      state for one resource: ${Buffer.byteLength(state)} bytes`);
    });

    it("works with only the emulator's documented environment variables (no stack config)", async () => {
        const envOnly = await DynamicProviderProcess.start({
            env: { ...emulator.env(), CLOUDPC_POLL_INTERVAL_SECONDS: "0.1" },
        });
        try {
            await envOnly.configure({});
            const e = new MiniEngine(envOnly, serialized);
            await e.up([{ name: "env", inputs: inputs() }]);
            assert.equal(e.state.get("env")!.outputs.importStatus, "succeeded");
            await e.destroy();
            assert.equal(emulator.imports.list().length, 0);
        } finally {
            await envOnly.close();
        }
    });

    it("a rotated SAS (new sig, se, st, sv) is no change and no Graph call; another blob path replaces delete-first", async () => {
        const rotated = SAS_URL.replace(SAS_SIG, "ROTATED0123456789abcdef%3D")
            .replace("se=2026-12-01", "se=2027-01-15")
            .replace("st=2026-11-01", "st=2026-12-02");
        await engine.up([{ name: "sas", inputs: inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }) }]);
        const first = engine.state.get("sas")!;
        const outputsBefore = JSON.stringify(first.outputs);
        emulator.resetStats();
        assert.deepEqual(
            (await engine.preview([{ name: "sas", inputs: inputs({ sourceFiles: [{ sasUrl: rotated }] }) }])).map(
                (s) => s.op,
            ),
            ["same"],
        );
        const steps = await engine.up([{ name: "sas", inputs: inputs({ sourceFiles: [{ sasUrl: rotated }] }) }]);
        assert.deepEqual(
            steps.map((s) => s.op),
            ["same"],
        );
        assert.equal(emulator.stats().total, 0, "no Graph call at all");
        assert.equal(
            JSON.stringify(engine.state.get("sas")!.outputs),
            outputsBefore,
            "the stored outputs are still exact",
        );
        assert.ok(!outputsBefore.includes("ROTATED") && !outputsBefore.includes(SAS_SIG));

        const moved = rotated.replace("/vhds/user1-os.vhd", "/vhds/user1-os-v2.vhd");
        const replaced = await engine.up([{ name: "sas", inputs: inputs({ sourceFiles: [{ sasUrl: moved }] }) }]);
        assert.deepEqual(
            replaced.map((s) => s.op),
            ["delete", "create", "replace"],
        );
        assert.equal(emulator.imports.get(first.id), undefined, "the old import was purged");
        assert.equal(emulator.imports.byUser(USER).length, 1);
    });

    describe("a stack deployed by 0.1.0 (its provider text requires ./provider/resources/imported-snapshot/handlers)", () => {
        const OLD_TEXT = fs.readFileSync(
            path.join(__dirname, "..", "stored-providers", "0.1.0-imported-snapshot.txt"),
            "utf8",
        );

        /** A resource as 0.1.0 left it: its provider text, and a SAS URL recorded as origin + path + SHA-256. */
        async function deployedBy010(): Promise<MiniEngine> {
            const old = new MiniEngine(provider, OLD_TEXT);
            await old.up([{ name: "old", inputs: inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }) }]);
            const res = old.state.get("old")!;
            assert.equal(res.outputs.__provider, OLD_TEXT);
            const { createHash } = await import("node:crypto");
            res.outputs.sourceFiles = [
                {
                    sourceType: "sasUrl",
                    fileType: "dataFile",
                    sasUrlRedacted: SAS_URL.split("?")[0],
                    sasUrlSha256: createHash("sha256").update(SAS_URL).digest("hex"),
                },
            ];
            return old;
        }

        it("refresh and destroy work with the stored text (the handlers are still where it looks)", async () => {
            const old = await deployedBy010();
            const id = old.state.get("old")!.id;
            assert.deepEqual(
                (await old.refresh()).map((s) => s.op),
                ["same"],
            );
            await old.destroy();
            assert.equal(emulator.imports.get(id), undefined, "purged through the 0.1.0 provider text");
        });

        it("the next up with a rotated SAS rewrites the stored text and outputs: an update, no replace, no Graph call", async () => {
            const old = await deployedBy010();
            const id = old.state.get("old")!.id;
            const current = new MiniEngine(provider, serialized);
            for (const [name, res] of old.state) current.state.set(name, res);
            const rotated = SAS_URL.replace(SAS_SIG, "ROTATED0123456789abcdef%3D");
            emulator.resetStats();
            assert.deepEqual(
                (await current.preview([{ name: "old", inputs: inputs({ sourceFiles: [{ sasUrl: rotated }] }) }])).map(
                    (s) => s.op,
                ),
                ["update"],
            );
            const steps = await current.up([{ name: "old", inputs: inputs({ sourceFiles: [{ sasUrl: rotated }] }) }]);
            assert.deepEqual(
                steps.map((s) => s.op),
                ["update"],
            );
            assert.equal(emulator.stats().total, 0, "no Graph call");
            const res = current.state.get("old")!;
            assert.equal(res.id, id);
            assert.equal(res.outputs.__provider, serialized, "the current provider text is stored");
            assert.equal(res.outputs.importStatus, "succeeded");
            assert.deepEqual(res.outputs.sourceFiles, [
                { sourceType: "sasUrl", fileType: "dataFile", sasUrlRedacted: SAS_URL.split("?")[0] },
            ]);
            // From now on it is an ordinary resource: no change, then a destroy with the new text.
            assert.deepEqual(
                (await current.up([{ name: "old", inputs: inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }) }])).map(
                    (s) => s.op,
                ),
                ["same"],
            );
            await current.destroy();
            assert.equal(emulator.imports.get(id), undefined);
        });
    });
});
