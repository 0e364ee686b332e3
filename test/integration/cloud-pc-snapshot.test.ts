// CloudPcSnapshot: check and diff rules, then the handlers in-process against the emulator (finding the restore point
// createSnapshot made, racing creates, waiting, timeouts, ambiguous POSTs, the read-route fallback, refresh, delete).
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { EMULATOR_STORAGE_ACCOUNT, startEmulator, type Emulator } from "../../emulator";
import { checkCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/check";
import { diffCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/diff";
import { cloudPcSnapshotHandlers } from "../../provider/resources/cloud-pc-snapshot/handlers";
import { CreatedButFailedError } from "../../provider/resources/shared/created-but-failed";
import { runtimeForEmulator } from "../harness/emulator-config";
import type { ProviderRuntime } from "../../provider/runtime/runtime";
import type { ResourceHandlers } from "../../provider/resources/shared/handlers";
import { RecordingProgress } from "../../provider/runtime/progress";
import { UNKNOWN } from "../../provider/validation/unknown";
import { STORAGE_ACCOUNT_ID } from "../fixtures";

const PC = "d8b39ec3-03c9-457f-824e-25f48197cec6";
const DOCUMENTED = [
    "cloudPcId",
    "status",
    "snapshotType",
    "healthCheckStatus",
    "createdDateTime",
    "expirationDateTime",
    "lastRestoredDateTime",
];
const ALL_ROUTES = ["retrieveSnapshots", "listSnapshots", "getSnapshot"] as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function undefinedPaths(value: unknown, path = "outs"): string[] {
    if (value === undefined) return [path];
    if (value && typeof value === "object")
        return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
    return [];
}

describe("CloudPcSnapshot check", () => {
    const failures = (news: Record<string, unknown>) => checkCloudPcSnapshot(news).failures;

    it("requires a GUID cloudPcId and names the property", () => {
        assert.match(failures({})[0].reason, /^cloudPcId is required/);
        const [f] = failures({ cloudPcId: "pc-1" });
        assert.equal(f.property, "cloudPcId");
        assert.match(f.reason, /GUID/);
    });

    it("validates the storage account's ARM id with the shared rule", () => {
        const [f] = failures({
            cloudPcId: PC,
            storageAccountId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/ok123",
        });
        assert.equal(f.property, "storageAccountId");
        assert.match(f.reason, /not a GUID/);
        assert.deepEqual(failures({ cloudPcId: PC, storageAccountId: STORAGE_ACCOUNT_ID }), []);
    });

    it("rejects an accessTier without a storageAccountId, and unknown tiers", () => {
        const [f] = failures({ cloudPcId: PC, accessTier: "cool" });
        assert.equal(f.property, "accessTier");
        assert.match(f.reason, /set storageAccountId too/);
        assert.match(
            failures({ cloudPcId: PC, storageAccountId: STORAGE_ACCOUNT_ID, accessTier: "frozen" })[0].reason,
            /"hot", "cool", "cold", "archive"/,
        );
    });

    it("fills defaults: hot only with a storage account, wait 60 minutes", () => {
        const plain = checkCloudPcSnapshot({ cloudPcId: PC }).inputs;
        assert.equal(plain.accessTier, undefined);
        assert.equal(plain.waitForCompletion, true);
        assert.equal(plain.timeoutMinutes, 60);
        assert.equal(
            checkCloudPcSnapshot({ cloudPcId: PC, storageAccountId: STORAGE_ACCOUNT_ID }).inputs.accessTier,
            "hot",
        );
    });

    it("skips values not known yet (preview) and rejects unknown inputs", () => {
        assert.deepEqual(
            failures({ cloudPcId: UNKNOWN, storageAccountId: UNKNOWN, accessTier: "cold", timeoutMinutes: UNKNOWN }),
            [],
        );
        assert.equal(failures({ cloudPcId: PC, adoptSnapshotId: "x" })[0].property, "adoptSnapshotId");
        assert.equal(failures({ cloudPcId: PC, timeoutMinutes: 0 })[0].property, "timeoutMinutes");
    });
});

describe("CloudPcSnapshot diff", () => {
    const olds = {
        cloudPcId: PC,
        storageAccountId: null,
        accessTier: null,
        waitForCompletion: true,
        timeoutMinutes: 60,
        snapshotId: "CPC_x",
    };

    it("no change for the same inputs (ids compared case-insensitively) or a new wait setting", () => {
        assert.equal(
            diffCloudPcSnapshot(olds, { cloudPcId: PC.toUpperCase(), waitForCompletion: false, timeoutMinutes: 5 })
                .changes,
            false,
        );
    });

    it("any change to what is snapshotted replaces, creating the new one first", () => {
        for (const news of [
            { cloudPcId: randomUUID() },
            { cloudPcId: PC, storageAccountId: STORAGE_ACCOUNT_ID, accessTier: "hot" },
            { cloudPcId: UNKNOWN },
        ]) {
            const d = diffCloudPcSnapshot(olds, news);
            assert.equal(d.changes, true, JSON.stringify(news));
            assert.equal(d.deleteBeforeReplace, false);
        }
        const withCopy = { ...olds, storageAccountId: STORAGE_ACCOUNT_ID, accessTier: "hot" };
        assert.deepEqual(
            diffCloudPcSnapshot(withCopy, {
                cloudPcId: PC,
                storageAccountId: STORAGE_ACCOUNT_ID.toUpperCase(),
                accessTier: "cool",
            }).replaces,
            ["accessTier"],
        );
    });
});

describe("lifecycle: CloudPcSnapshot handlers against the emulator", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    const progress = new RecordingProgress();
    const pc = (): string => randomUUID();
    const records = (id: string) => emulator.restorePoints.records(id);

    let runtime: ProviderRuntime | undefined;
    let handlers: ResourceHandlers;
    /** A new runtime: what a process learned of Graph's routes holds for its life. */
    const fresh = async () => {
        await runtime?.close();
        runtime = runtimeForEmulator(emulator, { progress });
        handlers = cloudPcSnapshotHandlers(runtime);
    };

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 1500, snapshotDurationMs: 300 });
        await fresh();
    });
    after(async () => {
        await runtime?.close();
        await emulator?.close();
    });
    beforeEach(async () => {
        // A fresh runtime per test: the read-route fallback is remembered per client.
        await fresh();
        emulator.restorePoints.clear();
        emulator.faults.clear();
        emulator.resetStats();
        emulator.setOptions({
            snapshotListRoutes: [...ALL_ROUTES],
            pendingSnapshotStatus: null,
            snapshotDurationMs: 300,
        });
        progress.lines.length = 0;
    });

    it("takes a manual snapshot, waits until ready, and records every documented property (never undefined)", async () => {
        const id = pc();
        const { id: snapshotId, outs } = await handlers.create({ cloudPcId: id });
        assert.match(snapshotId, new RegExp(`^CPC_${id}_`));
        assert.equal(outs!.snapshotId, snapshotId);
        assert.equal(outs!.status, "ready");
        assert.equal(outs!.snapshotType, "manual");
        assert.equal(outs!.healthCheckStatus, "healthy");
        for (const key of DOCUMENTED) assert.ok(key in outs!, key);
        assert.deepEqual(undefinedPaths(outs), []);
        assert.equal(outs!.storageAccountId, null);
        assert.equal(records(id).length, 1);
        assert.deepEqual(records(id)[0].storageCopies, [], "no body, no copy");
        assert.equal(emulator.stats().byRoute["POST createSnapshot"], 1);
    });

    it("sends storageAccountId and accessTier when given", async () => {
        const id = pc();
        const { outs } = await handlers.create({
            cloudPcId: id,
            storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId,
            accessTier: "archive",
        });
        assert.deepEqual(
            records(id)[0].storageCopies.map((c) => c.accessTier),
            ["archive"],
        );
        assert.equal(outs!.accessTier, "archive");
    });

    it("never adopts a restore point that existed, was taken before the request, or is automatic", async () => {
        const id = pc();
        const existing = emulator.restorePoints.create(id, "manual", 0);
        // Taken 5 s before the request but only listed (ready) during the wait: excluded by its createdDateTime.
        const earlier = emulator.restorePoints.create(id, "manual", 5_400, { now: Date.now() - 5_000 });
        const automatic = emulator.restorePoints.create(id, "automatic", 200);
        const { id: taken } = await handlers.create({ cloudPcId: id });
        assert.ok(![existing, earlier, automatic].includes(taken), `adopted ${taken}`);
        assert.equal(records(id).find((r) => r.id === taken)?.snapshotType, "manual");
        assert.equal(records(id).length, 4);
    });

    it("two creates racing for one Cloud PC each get their own restore point (serialized per Cloud PC)", async () => {
        const id = pc();
        // The first POST is answered late, after Graph acted: unserialized, the second create would see the first
        // one's restore point appear first and take it.
        emulator.faults.add({ route: "POST createSnapshot", delayMs: 1_200, times: 1 });
        const [withCopy, plain] = await Promise.all([
            handlers.create({
                cloudPcId: id,
                storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId,
                accessTier: "cool",
            }),
            handlers.create({ cloudPcId: id }),
        ]);
        assert.notEqual(withCopy.id, plain.id);
        const byId = new Map(records(id).map((r) => [r.id, r]));
        assert.deepEqual(
            byId.get(withCopy.id)!.storageCopies.map((c) => c.accessTier),
            ["cool"],
            "the copy belongs to the resource that asked for it",
        );
        assert.deepEqual(byId.get(plain.id)!.storageCopies, []);
    });

    it("creates on different Cloud PCs run in parallel", async () => {
        // No wall-clock bound (it would be flaky on a loaded runner): each createSnapshot is answered late, and all
        // three must have reached Graph before the first create finishes. Serialized, the second would be sent only
        // after the first create returned.
        emulator.faults.add({ route: "POST createSnapshot", delayMs: 1_000, times: 3 });
        const posts = (): number => emulator.stats().byRoute["POST createSnapshot"] ?? 0;
        let firstDone = false;
        let postsWhenFirstDone = 0;
        const creates = [pc(), pc(), pc()].map((cloudPcId) =>
            handlers.create({ cloudPcId }).finally(() => {
                if (!firstDone) {
                    firstDone = true;
                    postsWhenFirstDone = posts();
                }
            }),
        );
        const results = await Promise.all(creates);
        assert.equal(new Set(results.map((r) => r.id)).size, 3);
        assert.equal(postsWhenFirstDone, 3, "createSnapshot for the other Cloud PCs waited for the first create");
    });

    it("a restore point listed before it is ready is waited for, reporting each status", async () => {
        emulator.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 500 });
        const { outs } = await handlers.create({ cloudPcId: pc() });
        assert.equal(outs!.status, "ready");
        assert.ok(
            progress.lines.some((l) => /unknownFutureValue after \d+s/.test(l)),
            progress.lines.join("\n"),
        );
        assert.ok(progress.lines.some((l) => /: ready after \d+s/.test(l)));
    });

    it("waitForCompletion: false returns once the restore point is found; refresh picks up ready", async () => {
        emulator.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 3_600_000 });
        const id = pc();
        const { id: snapshotId, outs } = await handlers.create({ cloudPcId: id, waitForCompletion: false });
        assert.equal(outs!.status, "unknownFutureValue");
        emulator.restorePoints.finish(snapshotId);
        const read = await handlers.read(snapshotId, outs!);
        assert.equal(read.props!.status, "ready");
        assert.equal(read.props!.healthCheckStatus, "healthy");
    });

    it("past timeoutMinutes with the id known: recorded as created-but-failed, then resumed by update", async () => {
        // Far longer than the 0.6 s timeout however slow the machine: the test finishes it when the create gave up.
        emulator.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 3_600_000 });
        const id = pc();
        const err = await handlers.create({ cloudPcId: id, timeoutMinutes: 0.01, __provider: "serialized" }).then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(err instanceof CreatedButFailedError, String(err));
        assert.match(err.id, /^CPC_/);
        assert.equal(err.properties.__provider, "serialized");
        assert.equal(err.properties.snapshotId, err.id);
        assert.equal(err.properties.status, "unknownFutureValue");
        assert.match(err.message, /timeoutMinutes/);
        assert.deepEqual(undefinedPaths(err.properties), []);
        emulator.restorePoints.finish(err.id);
        const outs = (await handlers.update(err.id, err.properties, { cloudPcId: id, timeoutMinutes: 0.01 })).outs!;
        assert.equal(outs.status, "ready");
        assert.equal(outs.snapshotId, err.id);
        assert.equal(emulator.stats().byRoute["POST createSnapshot"], 1, "update takes no new snapshot");
    });

    it("past timeoutMinutes with no restore point found: a plain error (nothing to record) that says why", async () => {
        emulator.setOptions({ snapshotDurationMs: 3_600_000 });
        const err = await handlers.create({ cloudPcId: pc(), timeoutMinutes: 0.01 }).then(
            () => undefined,
            (e: unknown) => e as Error & { id?: string },
        );
        assert.ok(err && !err.id, "no id: the engine records nothing");
        assert.match(err.message, /no new manual snapshot appeared/);
        assert.match(err.message, /Graph has no delete/);
    });

    it("a dropped connection after Graph acted adopts that restore point instead of taking two", async () => {
        const id = pc();
        emulator.faults.add({ route: "POST createSnapshot", drop: "after" });
        const { id: taken } = await handlers.create({ cloudPcId: id });
        assert.deepEqual(
            records(id).map((r) => r.id),
            [taken],
        );
        assert.equal(emulator.stats().byRoute["POST createSnapshot"], 1);
        assert.ok(progress.lines.some((l) => /outcome is unknown/.test(l)));
    });

    it("a 500 to createSnapshot (Graph did not act) is sent once more after the reconcile window", async () => {
        const id = pc();
        emulator.faults.add({ route: "POST createSnapshot", status: 500 });
        const { id: taken } = await handlers.create({ cloudPcId: id });
        assert.deepEqual(
            records(id).map((r) => r.id),
            [taken],
        );
        assert.equal(emulator.stats().byRoute["POST createSnapshot"], 2);
        assert.ok(
            progress.lines.some((l) => /sending it once more/.test(l)),
            progress.lines.join("\n"),
        );
    });

    it("a refused createSnapshot keeps Graph's status, code and request-id, and takes nothing", async () => {
        const id = pc();
        emulator.restorePoints.deprovision(id);
        await assert.rejects(
            handlers.create({ cloudPcId: id }),
            (err: Error & { status?: number; code?: string; requestId?: string }) => {
                assert.equal(err.status, 404);
                assert.equal(err.code, "itemNotFound");
                assert.match(err.requestId ?? "", /^[0-9a-f-]{36}$/);
                assert.match(err.message, /request-id: [0-9a-f-]{36}/);
                return true;
            },
        );
        // (A 404 from a read route not yet proven may mean the route is missing: the fallback goes on, so the
        // refusal may come from createSnapshot itself. Either way nothing is taken.)
        assert.equal(records(id).length, 0, "nothing taken");
    });

    it("an unhealthy restore point is kept, with a warning", async () => {
        emulator.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 400 });
        const id = pc();
        const creating = handlers.create({ cloudPcId: id });
        while (records(id).length === 0) await sleep(20);
        emulator.restorePoints.setHealth(records(id)[0].id, "unhealthy");
        const { outs } = await creating;
        assert.equal(outs!.healthCheckStatus, "unhealthy");
        assert.ok(progress.lines.some((l) => l.startsWith("warn:") && /unhealthy/.test(l)));
    });

    for (const only of ALL_ROUTES) {
        it(`reads through ${only} alone when Graph lacks the others, remembering what is missing`, async () => {
            const id = pc();
            const snapshotId = emulator.restorePoints.create(id, "manual", 0);
            emulator.setOptions({ snapshotListRoutes: [only] });
            for (let i = 0; i < 2; i++) {
                const read = await handlers.read(snapshotId, { cloudPcId: id });
                assert.equal(read.id, snapshotId);
                assert.equal(read.props!.status, "ready");
            }
            const stats = emulator.stats().byRoute;
            if (only !== "retrieveSnapshots")
                assert.equal(stats["GET retrieveSnapshots"], 1, "the missing current route is asked once per process");
            if (only === "getSnapshot") assert.equal(stats["GET snapshots"], 1);
        });
    }

    it("takes a snapshot where Graph only has the deprecated list", async () => {
        emulator.setOptions({ snapshotListRoutes: ["listSnapshots"] });
        const id = pc();
        const { id: taken } = await handlers.create({ cloudPcId: id });
        assert.deepEqual(
            records(id).map((r) => r.id),
            [taken],
        );
    });

    it("read without a cloudPcId in state uses the list filtered by id, and the removed GET /snapshots/{id} only where Graph lacks the list", async () => {
        const snapshotId = emulator.restorePoints.create(pc(), "manual", 0);
        const read = await handlers.read(snapshotId, {});
        assert.equal(read.id, snapshotId);
        assert.equal(emulator.stats().byRoute["GET snapshots"], 1);
        assert.equal(emulator.stats().byRoute["GET snapshots/{id}"], undefined, "the removed GET is not asked first");
        emulator.setOptions({ snapshotListRoutes: ["getSnapshot"] });
        await fresh(); // a Graph that changed its routes is met by a new process
        assert.equal((await handlers.read(snapshotId, {})).id, snapshotId);
        assert.equal(emulator.stats().byRoute["GET snapshots/{id}"], 1);
    });

    it("read reports gone (no id) for an expired restore point, an unknown one and a deprovisioned Cloud PC", async () => {
        const id = pc();
        const expired = emulator.restorePoints.create(id, "manual", 0);
        emulator.restorePoints.expire(expired);
        assert.equal((await handlers.read(expired, { cloudPcId: id })).id, undefined);
        assert.equal((await handlers.read(`CPC_${id}_${randomUUID()}`, { cloudPcId: id })).id, undefined);
        const other = pc();
        const live = emulator.restorePoints.create(other, "manual", 0);
        emulator.restorePoints.deprovision(other);
        assert.equal((await handlers.read(live, { cloudPcId: other })).id, undefined);
    });

    it("delete sends nothing to Graph and warns that the restore point stays until it expires", async () => {
        const id = pc();
        const { id: snapshotId, outs } = await handlers.create({ cloudPcId: id });
        emulator.resetStats();
        await handlers.remove(snapshotId, outs!);
        assert.equal(emulator.stats().total, 0);
        assert.equal(records(id).length, 1, "still in Windows 365");
        const warning = progress.lines.find((l) => l.startsWith("warn:") && l.includes(snapshotId));
        assert.ok(warning, progress.lines.join("\n"));
        assert.match(warning, /no API to delete/);
        assert.match(warning, new RegExp(`expirationDateTime ${outs!.expirationDateTime}`));
    });
});
