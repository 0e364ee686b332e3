// The read-only functions (and the two Cloud PC actions) against the emulator: settings resolution like the
// provider's, paging, the user match of import results (contract I-12), the read-route fallback, Graph errors kept
// whole, and the Output forms.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { EMULATOR_STORAGE_ACCOUNT, EMULATOR_SUBSCRIPTION, startEmulator, type Emulator } from "../../emulator";
import {
    getCloudPcSnapshot,
    getCloudPcSnapshots,
    getCloudPcSnapshotsOutput,
    getImportedSnapshot,
    getImportedSnapshots,
    getImportedSnapshotsOutput,
    getStorageAccounts,
    getStorageAccountsOutput,
    getSubscriptions,
    getSubscriptionsOutput,
    restoreCloudPc,
    shareCloudPcSnapshot,
    type FunctionOptions,
} from "../../provider";
import { resolveSettings } from "../../provider/config/settings";
import { GraphError } from "../../provider/graph/errors";
import { closeGraphClients, graphClientFor } from "../harness/graph-clients";
import { runtimes } from "../../provider/runtime/registry";
import { importSnapshot } from "../../provider/snapshots/imports";
import { blobFile, OTHER_USER, USER } from "../fixtures";
import { stackConfigFor } from "../harness/emulator-config";

const ALICE_UPN = "alice@contoso.com";
const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("functions: read-only views and Cloud PC actions", function () {
    this.timeout(30_000);
    let emulator: Emulator;
    let config: Record<string, string>;
    let options: FunctionOptions;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 100 });
        config = stackConfigFor(emulator);
        options = { config: { get: (k) => config[k] } };
    });
    after(async () => {
        await closeGraphClients();
        await runtimes.closeAll();
        await emulator?.close();
    });
    beforeEach(async () => {
        await runtimes.closeAll(); // read fallbacks are remembered per client: the functions' runtimes get new ones
        emulator.imports.clear();
        emulator.restorePoints.clear();
        emulator.faults.clear();
        emulator.resetStats();
        emulator.setOptions({
            pageSize: 100,
            users: [],
            importResultFunctions: [
                "retrieveSnapshotImportResult",
                "retrieveSnapshotImportResults",
                "listSnapshotImportResults",
            ],
            snapshotListRoutes: ["retrieveSnapshots", "listSnapshots", "getSnapshot"],
            subscriptions: [{ ...EMULATOR_SUBSCRIPTION, storageAccounts: [EMULATOR_STORAGE_ACCOUNT] }],
        });
    });

    describe("getSubscriptions / getStorageAccounts", () => {
        it("read every page", async () => {
            const subs = [0, 1, 2].map((i) => ({
                subscriptionId: randomUUID(),
                subscriptionName: `Sub ${i}`,
                storageAccounts: [
                    {
                        storageAccountId: `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct${i}`,
                    },
                ],
            }));
            emulator.setOptions({ subscriptions: subs, pageSize: 1 });
            const found = await getSubscriptions(options);
            assert.deepEqual(
                found.map((s) => s.subscriptionName),
                ["Sub 0", "Sub 1", "Sub 2"],
            );
            assert.equal(emulator.stats().byRoute["GET getSubscriptions"], 3, "one request per page");
            const accounts = await getStorageAccounts({ subscriptionId: subs[2].subscriptionId }, options);
            // accessTier and immutableStorage: Graph's defaults (hot, false) where the emulator was not told otherwise.
            assert.deepEqual(accounts, [
                {
                    storageAccountId: subs[2].storageAccounts[0].storageAccountId,
                    storageAccountName: "acct2",
                    accessTier: "hot",
                    immutableStorage: false,
                },
            ]);
        });

        it("take their settings from the running program's stack config by default (Output forms)", async () => {
            const saved = process.env.PULUMI_CONFIG;
            try {
                for (const [k, v] of Object.entries(config)) pulumi.runtime.setConfig(k, v);
                const subs = await value(getSubscriptionsOutput());
                assert.deepEqual(subs, [
                    {
                        subscriptionId: EMULATOR_SUBSCRIPTION.subscriptionId,
                        subscriptionName: EMULATOR_SUBSCRIPTION.subscriptionName,
                    },
                ]);
                const accounts = await value(
                    getStorageAccountsOutput({ subscriptionId: pulumi.output(subs[0].subscriptionId) }),
                );
                assert.equal(accounts[0].storageAccountId, EMULATOR_STORAGE_ACCOUNT.storageAccountId);
            } finally {
                if (saved === undefined) delete process.env.PULUMI_CONFIG;
                else process.env.PULUMI_CONFIG = saved;
            }
        });

        it("accept resolved settings as they are", async () => {
            const settings = resolveSettings({ get: (k) => config[k] }, {});
            assert.equal((await getSubscriptions({ settings })).length, 1);
        });

        it("reject a bad subscription id before calling Graph", async () => {
            await assert.rejects(
                getStorageAccounts({ subscriptionId: "prod" }, options),
                /^Error: subscriptionId must be an Azure subscription id, a GUID/,
            );
            assert.equal(emulator.stats().total, 0);
        });

        it("keep Graph's status, code and request-id in errors, and never the client secret", async () => {
            // Not a 5xx: reads are retried on those (test/integration/faults.test.ts), a 403 is final.
            emulator.faults.add({ route: "getSubscriptions", status: 403, code: "Forbidden" });
            await assert.rejects(getSubscriptions(options), (err: GraphError) => {
                assert.ok(err instanceof GraphError);
                assert.equal(err.status, 403);
                assert.equal(err.code, "Forbidden");
                assert.match(err.requestId ?? "", /^[0-9a-f-]{36}$/);
                assert.match(err.message, /getSubscriptions failed: HTTP 403 .*request-id: [0-9a-f-]{36}/);
                return true;
            });
            const wrong = {
                config: { get: (k: string) => (k === "cloudpc:clientSecret" ? "wrong-secret-CANARY" : config[k]) },
            };
            await assert.rejects(getSubscriptions(wrong), (err: Error) => !err.message.includes("wrong-secret-CANARY"));
        });
    });

    describe("imported snapshot results", () => {
        async function importFor(userId: string, file: string): Promise<string> {
            const client = graphClientFor(resolveSettings({ get: (k) => config[k] }, {}));
            const record = await importSnapshot(client, {
                assignedUserId: userId,
                sourceFiles: [{ sourceType: "azureStorageAccount", fileType: "dataFile", ...blobFile(file) }],
            });
            return record.snapshotId!;
        }

        it("list all of them, or one user's by object id or UPN (Graph reports either)", async () => {
            emulator.setOptions({ users: [{ id: USER, userPrincipalName: ALICE_UPN }] });
            const alice = await importFor(USER, "alice.vhd");
            const bob = await importFor(OTHER_USER, "bob.vhd");
            const all = await getImportedSnapshots({}, options);
            assert.deepEqual(all.map((r) => r.snapshotId).sort(), [alice, bob].sort());
            for (const r of all) for (const [k, v] of Object.entries(r)) assert.notEqual(v, undefined, k);
            assert.deepEqual(
                (await getImportedSnapshots({ userId: OTHER_USER }, options)).map((r) => r.snapshotId),
                [bob],
            );
            assert.deepEqual(
                (await getImportedSnapshots({ userPrincipalName: "ALICE@contoso.com" }, options)).map(
                    (r) => r.snapshotId,
                ),
                [alice],
            );
            // Graph reports Alice's UPN, not her object id: her object id is matched through her UPN.
            assert.deepEqual(
                (await getImportedSnapshots({ userId: USER }, options)).map((r) => r.snapshotId),
                [alice],
            );
            assert.deepEqual(
                (await getImportedSnapshots({ userId: USER, userPrincipalName: ALICE_UPN }, options)).map(
                    (r) => r.snapshotId,
                ),
                [alice],
            );
            const viaOutput = await value(getImportedSnapshotsOutput({ userId: pulumi.output(OTHER_USER) }, options));
            assert.equal(viaOutput[0].filename, "bob.vhd");
        });

        it("say which functions Graph lacks when it cannot enumerate imports", async () => {
            emulator.setOptions({ importResultFunctions: ["retrieveSnapshotImportResult"] });
            await assert.rejects(getImportedSnapshots({}, options), /listSnapshotImportResults/);
        });

        it("read one import by id, null when unknown", async () => {
            const id = await importFor(USER, "one.vhd");
            assert.equal((await getImportedSnapshot({ snapshotId: id }, options))?.snapshotId, id);
            assert.equal(await getImportedSnapshot({ snapshotId: randomUUID() }, options), null);
            await assert.rejects(getImportedSnapshot({ snapshotId: "CPC_x" }, options), /snapshotId must be/);
        });
    });

    describe("a Cloud PC's restore points", () => {
        it("list them oldest first, filtered by type, with every documented property", async () => {
            const pc = randomUUID();
            const auto = emulator.restorePoints.create(pc, "automatic", 0, { now: Date.now() - 60_000 });
            const manual = emulator.restorePoints.create(pc, "manual", 0, { retentionDays: 30 });
            emulator.restorePoints.create(randomUUID(), "manual", 0);
            const all = await getCloudPcSnapshots({ cloudPcId: pc }, options);
            assert.deepEqual(
                all.map((s) => s.id),
                [auto, manual],
            );
            assert.deepEqual(Object.keys(all[0]).sort(), [
                "cloudPcId",
                "createdDateTime",
                "expirationDateTime",
                "healthCheckStatus",
                "id",
                "lastRestoredDateTime",
                "snapshotType",
                "status",
            ]);
            assert.deepEqual(
                (await value(getCloudPcSnapshotsOutput({ cloudPcId: pc, snapshotType: "manual" }, options))).map(
                    (s) => s.id,
                ),
                [manual],
            );
            assert.equal(emulator.stats().byRoute["GET retrieveSnapshots"], 2);
        });

        it("fall back to the deprecated list where Graph lacks retrieveSnapshots", async () => {
            const pc = randomUUID();
            const id = emulator.restorePoints.create(pc, "manual", 0);
            emulator.setOptions({ snapshotListRoutes: ["listSnapshots"] });
            assert.deepEqual(
                (await getCloudPcSnapshots({ cloudPcId: pc }, options)).map((s) => s.id),
                [id],
            );
            assert.equal(emulator.stats().byRoute["GET snapshots"], 1);
        });

        it("read one by id without a Cloud PC id (the list filtered by id before the removed GET), null when unknown", async () => {
            const id = emulator.restorePoints.create(randomUUID(), "manual", 0);
            assert.equal((await getCloudPcSnapshot({ snapshotId: id }, options))?.id, id);
            assert.equal(emulator.stats().byRoute["GET snapshots"], 1);
            assert.equal(emulator.stats().byRoute["GET snapshots/{id}"], undefined);
            emulator.setOptions({ snapshotListRoutes: ["retrieveSnapshots", "getSnapshot"] });
            await runtimes.closeAll(); // a Graph that changed its routes is met by a new process
            assert.equal((await getCloudPcSnapshot({ snapshotId: id }, options))?.id, id);
            assert.equal(emulator.stats().byRoute["GET snapshots/{id}"], 1);
            assert.equal(await getCloudPcSnapshot({ snapshotId: "CPC_unknown" }, options), null);
            await assert.rejects(
                getCloudPcSnapshots({ cloudPcId: "pc-1" }, options),
                /cloudPcId must be the Cloud PC's id/,
            );
        });
    });

    describe("Cloud PC actions", () => {
        it("restoreCloudPc and shareCloudPcSnapshot reach Graph; a refusal keeps Graph's error", async () => {
            const pc = randomUUID();
            const id = emulator.restorePoints.create(pc, "automatic", 0);
            await restoreCloudPc({ cloudPcId: pc, snapshotId: id }, options);
            assert.ok((await getCloudPcSnapshot({ snapshotId: id, cloudPcId: pc }, options))?.lastRestoredDateTime);
            await shareCloudPcSnapshot(
                {
                    cloudPcId: pc,
                    snapshotId: id,
                    storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId,
                    accessTier: "cool",
                },
                options,
            );
            assert.deepEqual(
                emulator.restorePoints.records(pc)[0].storageCopies.map((c) => [c.via, c.accessTier]),
                [["shareSnapshot", "cool"]],
            );
            await assert.rejects(
                restoreCloudPc({ cloudPcId: randomUUID(), snapshotId: id }, options),
                (err: GraphError) => err.status === 404 && err.code === "itemNotFound",
            );
            emulator.resetStats();
            await assert.rejects(
                shareCloudPcSnapshot({ cloudPcId: pc, snapshotId: id, storageAccountId: "acct" }, options),
                /storageAccountId must be/,
            );
            assert.equal(emulator.stats().total, 0);
        });
    });
});
