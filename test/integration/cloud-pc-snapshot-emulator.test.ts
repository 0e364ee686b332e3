// The emulator's restore-point routes over HTTPS (contract E4-E11): states (pending, ready, expired), storage copies,
// restore and shareSnapshot, the switchable read routes, subscriptions, permissions and the control routes.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { Agent, request } from "undici";
import {
    EMULATOR_STORAGE_ACCOUNT,
    EMULATOR_SUBSCRIPTION,
    ROLE_READ,
    ROLE_READ_WRITE,
    startEmulator,
    type Emulator,
} from "../../emulator";
import type { GraphError } from "../../emulator/errors";
import { resolveOptions } from "../../emulator/options";
import { RestorePointRoutes } from "../../emulator/restore-point-routes";
import { InMemoryRestorePoints } from "../../emulator/snapshots";
import { storageAccountsOf } from "../../emulator/subscriptions";
import { emulatorHttp, type Http } from "../harness/emulator-http";

const VE = "/beta/deviceManagement/virtualEndpoint";
const READER = { clientId: "4d5e6f70-0000-4000-8000-00000000abcd", clientSecret: "reader-secret", roles: [ROLE_READ] };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("emulator: Cloud PC restore points (E4-E11)", function () {
    this.timeout(30_000);
    let emu: Emulator;
    let agent: Agent;
    let writer: string;
    let reader: string;

    async function tokenFor(clientId: string, clientSecret: string): Promise<string> {
        const res = await request(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
            method: "POST",
            dispatcher: agent,
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
                grant_type: "client_credentials",
                client_id: clientId,
                client_secret: clientSecret,
                scope: `${emu.graphEndpoint}/.default`,
            }).toString(),
        });
        return ((await res.body.json()) as { access_token: string }).access_token;
    }

    // emu and agent are set in before(): bound at each call.
    const http: Http = (method, path, opts) => emulatorHttp(emu, agent, () => writer)(method, path, opts);

    const snapshotsOf = async (pc: string, headers?: Record<string, string>) =>
        (await http("GET", `${VE}/cloudPCs/${pc}/retrieveSnapshots`, { headers })).json.value as Record<
            string,
            string
        >[];

    before(async () => {
        emu = await startEmulator({ importDurationMs: 150 });
        agent = new Agent({ connect: { ca: fs.readFileSync(emu.caCertPath) } });
        emu.setOptions({
            clients: [{ clientId: emu.clientId, clientSecret: emu.clientSecret, roles: [ROLE_READ_WRITE] }, READER],
        });
        writer = await tokenFor(emu.clientId, emu.clientSecret);
        reader = await tokenFor(READER.clientId, READER.clientSecret);
    });
    after(async () => {
        await agent?.close();
        await emu?.close();
    });
    beforeEach(() => {
        emu.restorePoints.clear();
        emu.faults.clear();
        emu.setOptions({
            snapshotListRoutes: ["retrieveSnapshots", "listSnapshots", "getSnapshot"],
            pendingSnapshotStatus: null,
            snapshotDurationMs: null,
            snapshotRetentionDays: 30,
            pageSize: 100,
        });
    });

    it("a manual restore point is hidden until ready, then ready, healthy, expiring after the retention days", async () => {
        // Hidden while not ready: one taking far longer than any pause of a loaded machine (no window to miss).
        emu.setOptions({ snapshotDurationMs: 600_000 });
        const slow = randomUUID();
        assert.equal((await http("POST", `${VE}/cloudPCs/${slow}/createSnapshot`)).status, 204);
        assert.equal((await snapshotsOf(slow)).length, 0);
        emu.setOptions({ snapshotDurationMs: null });
        const pc = randomUUID();
        const sent = Date.now();
        assert.equal((await http("POST", `${VE}/cloudPCs/${pc}/createSnapshot`)).status, 204);
        await sleep(200);
        const [point] = await snapshotsOf(pc);
        assert.equal(point.status, "ready");
        assert.equal(point.snapshotType, "manual");
        assert.equal(point.healthCheckStatus, "healthy");
        assert.equal(point.lastRestoredDateTime, null);
        const created = Date.parse(point.createdDateTime);
        assert.ok(created >= sent - 1000 && created <= Date.now(), "createdDateTime is the request's time");
        assert.equal(Date.parse(point.expirationDateTime) - created, 30 * 24 * 3600 * 1000);
    });

    it("pendingSnapshotStatus lists a restore point before it is ready, with health unknown", async () => {
        // Pending: one taking far longer than any pause of a loaded machine; ready: another one, after its time.
        emu.setOptions({ pendingSnapshotStatus: "unknownFutureValue", snapshotDurationMs: 600_000 });
        const slow = randomUUID();
        await http("POST", `${VE}/cloudPCs/${slow}/createSnapshot`);
        const [pending] = await snapshotsOf(slow);
        assert.equal(pending.status, "unknownFutureValue");
        assert.equal(pending.healthCheckStatus, "unknown");
        emu.setOptions({ snapshotDurationMs: 300 });
        const pc = randomUUID();
        await http("POST", `${VE}/cloudPCs/${pc}/createSnapshot`);
        await sleep(350);
        assert.equal((await snapshotsOf(pc))[0].status, "ready");
    });

    it("an expired restore point disappears from every read route", async () => {
        const pc = randomUUID();
        const id = emu.restorePoints.create(pc, "manual", 0);
        assert.equal((await snapshotsOf(pc)).length, 1);
        emu.restorePoints.expire(id);
        assert.equal((await snapshotsOf(pc)).length, 0);
        assert.equal((await http("GET", `${VE}/snapshots/${id}`)).status, 404);
        assert.equal((await http("GET", `${VE}/snapshots`)).json.value.length, 0);
        assert.equal(emu.restorePoints.records(pc).length, 1, "still known to the test controls");
    });

    it("createSnapshot with a storage account records the copy and its tier; an account Windows 365 cannot use is a 400", async () => {
        const pc = randomUUID();
        const ok = await http("POST", `${VE}/cloudPCs/${pc}/createSnapshot`, {
            body: { storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId, accessTier: "cool" },
        });
        assert.equal(ok.status, 204);
        const [record] = emu.restorePoints.records(pc);
        assert.deepEqual(
            record.storageCopies.map((c) => [c.storageAccountId, c.accessTier, c.via]),
            [[EMULATOR_STORAGE_ACCOUNT.storageAccountId, "cool", "createSnapshot"]],
        );
        const other = `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/elsewhere`;
        const denied = await http("POST", `${VE}/cloudPCs/${pc}/createSnapshot`, { body: { storageAccountId: other } });
        assert.equal(denied.status, 400);
        assert.match(denied.json.error.message, /getStorageAccounts/);
        const badTier = await http("POST", `${VE}/cloudPCs/${pc}/createSnapshot`, {
            body: { storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId, accessTier: "frozen" },
        });
        assert.equal(badTier.status, 400);
        assert.equal(emu.restorePoints.records(pc).length, 1, "rejected requests take no snapshot");
    });

    it("restore sets lastRestoredDateTime; shareSnapshot copies; both 404 for another Cloud PC's or an unknown restore point", async () => {
        const pc = randomUUID();
        const id = emu.restorePoints.create(pc, "automatic", 0);
        assert.equal(
            (await http("POST", `${VE}/cloudPCs/${pc}/restore`, { body: { cloudPcSnapshotId: id } })).status,
            204,
        );
        assert.ok((await snapshotsOf(pc))[0].lastRestoredDateTime);
        const share = await http("POST", `${VE}/cloudPCs/${pc}/shareSnapshot`, {
            body: { cloudPcSnapshotId: id, storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId },
        });
        assert.equal(share.status, 204);
        assert.deepEqual(
            emu.restorePoints.records(pc)[0].storageCopies.map((c) => [c.via, c.accessTier]),
            [["shareSnapshot", "hot"]],
        );
        const otherPc = randomUUID();
        assert.equal(
            (await http("POST", `${VE}/cloudPCs/${otherPc}/restore`, { body: { cloudPcSnapshotId: id } })).status,
            404,
        );
        assert.equal((await http("POST", `${VE}/cloudPCs/${pc}/restore`, { body: {} })).status, 400);
        assert.equal(
            (await http("POST", `${VE}/cloudPCs/${pc}/shareSnapshot`, { body: { cloudPcSnapshotId: id } })).status,
            400,
            "storageAccountId is required",
        );
        assert.equal((await http("GET", `${VE}/cloudPCs/${pc}/restore`)).status, 405);
    });

    it("each read route can be switched off and then answers like Graph for an unknown segment", async () => {
        const pc = randomUUID();
        const id = emu.restorePoints.create(pc, "manual", 0);
        emu.setOptions({ snapshotListRoutes: ["getSnapshot"] });
        const retrieve = await http("GET", `${VE}/cloudPCs/${pc}/retrieveSnapshots`);
        assert.equal(retrieve.status, 400);
        assert.equal(retrieve.json.error.message, "Resource not found for the segment 'retrieveSnapshots'.");
        const list = await http("GET", `${VE}/snapshots`);
        assert.equal(list.status, 400);
        assert.equal(list.json.error.message, "Resource not found for the segment 'snapshots'.");
        assert.equal((await http("GET", `${VE}/snapshots/${id}`)).json.id, id);
        emu.setOptions({ snapshotListRoutes: ["retrieveSnapshots"] });
        assert.equal((await http("GET", `${VE}/snapshots/${id}`)).status, 400);
        assert.equal(
            (await http("GET", `${VE}/snapshots/retrieveSnapshotImportResult(snapshotId='${randomUUID()}')`)).status,
            404,
            "import reads are unaffected",
        );
        assert.throws(
            () => emu.setOptions({ snapshotListRoutes: ["listEverything" as "listSnapshots"] }),
            /unknown route/,
        );
    });

    it("a retention restore point shows as unknownFutureValue unless the client opts in with Prefer", async () => {
        const pc = randomUUID();
        emu.restorePoints.create(pc, "retention", 0);
        assert.equal((await snapshotsOf(pc))[0].snapshotType, "unknownFutureValue");
        const [opted] = await snapshotsOf(pc, { prefer: "include-unknown-enum-members" });
        assert.equal(opted.snapshotType, "retention");
        assert.equal(Date.parse(opted.expirationDateTime) - Date.parse(opted.createdDateTime), 90 * 24 * 3600 * 1000);
    });

    it("a deprovisioned Cloud PC answers 404 on every route", async () => {
        const pc = randomUUID();
        emu.restorePoints.deprovision(pc);
        for (const [method, route] of [
            ["GET", "retrieveSnapshots"],
            ["POST", "createSnapshot"],
        ] as const) {
            const answer = await http(method, `${VE}/cloudPCs/${pc}/${route}`);
            assert.equal(answer.status, 404, route);
            assert.equal(answer.json.error.code, "itemNotFound");
        }
        assert.equal((await http("POST", `${VE}/cloudPCs/not-a-guid/createSnapshot`)).status, 404);
    });

    it("permissions: Cloud PC actions and retrieveSnapshots need ReadWrite.All; the snapshots list and E4/E5 accept Read.All", async () => {
        const pc = randomUUID();
        const id = emu.restorePoints.create(pc, "manual", 0);
        for (const [method, path, body] of [
            ["POST", `cloudPCs/${pc}/createSnapshot`, undefined],
            ["POST", `cloudPCs/${pc}/restore`, { cloudPcSnapshotId: id }],
            [
                "POST",
                `cloudPCs/${pc}/shareSnapshot`,
                { cloudPcSnapshotId: id, storageAccountId: EMULATOR_STORAGE_ACCOUNT.storageAccountId },
            ],
            ["GET", `cloudPCs/${pc}/retrieveSnapshots`, undefined],
        ] as const) {
            assert.equal((await http(method, `${VE}/${path}`, { token: reader, body })).status, 403, path);
        }
        for (const path of [
            "snapshots",
            `snapshots/${id}`,
            "snapshots/getSubscriptions",
            `snapshots/getStorageAccounts(subscriptionId='${EMULATOR_SUBSCRIPTION.subscriptionId}')`,
        ]) {
            assert.equal((await http("GET", `${VE}/${path}`, { token: reader })).status, 200, path);
        }
        assert.equal(emu.restorePoints.records(pc).length, 1, "the refused createSnapshot took nothing");
    });

    it("subscriptions and storage accounts are configurable and paged", async () => {
        const subs = [0, 1, 2].map((i) => ({
            subscriptionId: randomUUID(),
            subscriptionName: `Sub ${i}`,
            storageAccounts: [
                {
                    storageAccountId: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct${i}a`,
                },
                {
                    storageAccountId: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct${i}b`,
                    storageAccountName: "named",
                },
            ],
        }));
        try {
            emu.setOptions({ subscriptions: subs, pageSize: 2 });
            const first = (await http("GET", `${VE}/snapshots/getSubscriptions`)).json;
            assert.equal(first.value.length, 2);
            assert.ok(first["@odata.nextLink"]);
            const accounts = (
                await http("GET", `${VE}/snapshots/getStorageAccounts(subscriptionId='${subs[1].subscriptionId}')`)
            ).json.value;
            assert.deepEqual(
                accounts.map((a: Record<string, string>) => a.storageAccountName),
                ["acct1a", "named"],
            );
            assert.equal(
                (await http("GET", `${VE}/snapshots/getStorageAccounts(subscriptionId='${randomUUID()}')`)).json.value
                    .length,
                0,
            );
            assert.throws(
                () => emu.setOptions({ subscriptions: [{ subscriptionId: "nope", subscriptionName: "x" }] }),
                /GUID/,
            );
        } finally {
            emu.setOptions({
                subscriptions: [{ ...EMULATOR_SUBSCRIPTION, storageAccounts: [EMULATOR_STORAGE_ACCOUNT] }],
            });
        }
    });

    it("the draft POST /snapshots still creates a ready restore point (the provider does not use it)", async () => {
        const pc = randomUUID();
        const created = await http("POST", `${VE}/snapshots`, { body: { cloudPcId: pc } });
        assert.equal(created.status, 201);
        assert.equal(created.json.status, "ready");
        assert.equal((await snapshotsOf(pc))[0].id, created.json.id);
    });

    it("control routes list, expire, rate the health of restore points and deprovision Cloud PCs", async () => {
        const ctl = (method: string, p: string, body?: unknown) =>
            http(method, `/_emulator/${p}`, { token: null, body });
        const pc = randomUUID();
        const id = emu.restorePoints.create(pc, "manual", 0);
        const listed = (await ctl("GET", "restorePoints")).json.value;
        assert.deepEqual(
            listed.map((r: Record<string, unknown>) => r.id),
            [id],
        );
        assert.equal(
            (await ctl("POST", `restorePoints/${id}/health`, { healthCheckStatus: "unhealthy" })).json
                .healthCheckStatus,
            "unhealthy",
        );
        assert.equal((await ctl("POST", `restorePoints/${id}/health`, { healthCheckStatus: "meh" })).status, 400);
        await ctl("POST", `restorePoints/${id}/expire`);
        assert.equal((await snapshotsOf(pc)).length, 0);
        assert.equal((await ctl("POST", "restorePoints/CPC_nope/expire")).status, 404);
        await ctl("POST", `cloudPCs/${pc}/deprovision`);
        assert.equal((await http("GET", `${VE}/cloudPCs/${pc}/retrieveSnapshots`)).status, 404);
        await ctl("POST", "restorePoints/clear");
        assert.equal(emu.restorePoints.records().length, 0);
        assert.equal(
            (await http("GET", `${VE}/cloudPCs/${pc}/retrieveSnapshots`)).status,
            200,
            "clear also forgets deprovisioned Cloud PCs",
        );
    });

    it("an immutable storage account (immutableStorage: true) takes snapshots in the hot tier only", () => {
        // Unit level: the options parser does not take accessTier/immutableStorage yet, the handlers already honour them.
        const { runtime } = resolveOptions();
        const immutable = {
            ...EMULATOR_STORAGE_ACCOUNT,
            storageAccountName: "locked",
            accessTier: "cool",
            immutableStorage: true,
        };
        runtime.subscriptions = [{ ...EMULATOR_SUBSCRIPTION, storageAccounts: [immutable] }];
        assert.deepEqual(
            storageAccountsOf(runtime.subscriptions, EMULATOR_SUBSCRIPTION.subscriptionId).map((a) => [
                a.accessTier,
                a.immutableStorage,
            ]),
            [["cool", true]],
        );
        const store = new InMemoryRestorePoints();
        const routes = new RestorePointRoutes(store, runtime, "https://127.0.0.1");
        const pc = randomUUID();
        const url = new URL(`https://127.0.0.1${VE}/cloudPCs/${pc}/createSnapshot`);
        assert.throws(
            () =>
                routes.create({ url, body: { storageAccountId: immutable.storageAccountId, accessTier: "cool" } }, pc),
            (e: GraphError) => e.status === 400 && /only the 'hot'/.test(e.message),
        );
        assert.deepEqual(routes.create({ url, body: { storageAccountId: immutable.storageAccountId } }, pc), {
            kind: "empty",
        });
        assert.equal(store.records(pc).length, 1);
    });
});
