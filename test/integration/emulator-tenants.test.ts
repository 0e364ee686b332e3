// Several tenants in one emulator, as in Graph: one Graph endpoint, each tenant's own app registrations at
// /{tenantId}/oauth2/v2.0/token, and the access token's tenant (`tid`) picks whose users, imports and restore points a
// request sees. The control routes and stats say which tenant holds what.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { Agent } from "undici";
import { type Emulator, startEmulator } from "../../emulator";
import { resolveOptions } from "../../emulator/options";
import { emulatorHttp, type Answer, type Http } from "../harness/emulator-http";

const SNAPSHOTS = "/beta/deviceManagement/virtualEndpoint/snapshots";
const ACCOUNT =
    "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/cloudpcvhds";
const TENANT_B = "b0b0b0b0-1111-4222-8333-444455556666";
const CLIENT_B = "c1c1c1c1-1111-4222-8333-444455556666";
const SECRET_B = "tenant-b-client-secret";

describe("Graph emulator: several tenants", function () {
    this.timeout(30_000);
    let emu: Emulator;
    let agent: Agent;

    before(async () => {
        emu = await startEmulator({
            importDurationMs: 60_000,
            tenants: [{ tenantId: TENANT_B, clients: [{ clientId: CLIENT_B, clientSecret: SECRET_B }] }],
        });
        agent = new Agent({ connect: { ca: (await import("node:fs")).readFileSync(emu.caCertPath) } });
    });
    after(async () => {
        await agent.close();
        await emu.close();
    });

    // emu and agent are set in before(): bound at each call.
    const http: Http = (method, path, opts) => emulatorHttp(emu, agent)(method, path, opts);

    function tokenRequest(tenantId: string, clientId: string, secret: string): Promise<Answer> {
        return http("POST", `/${tenantId}/oauth2/v2.0/token`, {
            form: {
                grant_type: "client_credentials",
                client_id: clientId,
                client_secret: secret,
                scope: `${emu.graphEndpoint}/.default`,
            },
        });
    }

    async function tokenOf(tenantId: string, clientId: string, secret: string): Promise<string> {
        const r = await tokenRequest(tenantId, clientId, secret);
        assert.equal(r.status, 200, JSON.stringify(r.json));
        return r.json.access_token as string;
    }

    const importFor = (token: string, userId: string) =>
        http("POST", `${SNAPSHOTS}/importSnapshot`, {
            token,
            body: {
                assignedUserId: userId,
                sourceFiles: [
                    {
                        sourceType: "azureStorageAccount",
                        fileType: "dataFile",
                        storageBlobInfo: { storageAccountId: ACCOUNT, containerName: "vhds", fileName: "disk.vhd" },
                    },
                ],
            },
        });

    const tid = (token: string): string =>
        (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { tid: string }).tid;

    it("each tenant signs in only its own app registrations, and its tokens carry its tid", async () => {
        assert.deepEqual(emu.tenantIds(), [emu.tenantId, TENANT_B]);
        assert.equal(tid(await tokenOf(TENANT_B, CLIENT_B, SECRET_B)), TENANT_B);
        assert.equal(tid(await tokenOf(emu.tenantId, emu.clientId, emu.clientSecret)), emu.tenantId);

        const bAtA = await tokenRequest(emu.tenantId, CLIENT_B, SECRET_B);
        assert.equal(bAtA.status, 400);
        assert.equal(bAtA.json.error, "unauthorized_client");
        const aAtB = await tokenRequest(TENANT_B, emu.clientId, emu.clientSecret);
        assert.equal(aAtB.status, 400);
        assert.match(aAtB.json.error_description, new RegExp(`directory '${TENANT_B}'`));
        const discovery = await http("GET", `/${TENANT_B}/v2.0/.well-known/openid-configuration`);
        assert.equal(discovery.json.token_endpoint, `${emu.authorityHost}/${TENANT_B}/oauth2/v2.0/token`);
        const unknown = await tokenRequest(randomUUID(), CLIENT_B, SECRET_B);
        assert.equal(unknown.status, 400);
        assert.match(unknown.json.error_description, /not found/);
    });

    it("the token's tenant picks the data: imports land in their tenant and each sees only its own", async () => {
        const tokenA = await tokenOf(emu.tenantId, emu.clientId, emu.clientSecret);
        const tokenB = await tokenOf(TENANT_B, CLIENT_B, SECRET_B);
        emu.resetStats();
        const userId = randomUUID();
        // One import per user is per tenant: the same object id may import in both.
        const a = await importFor(tokenA, userId);
        const b = await importFor(tokenB, userId);
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
        assert.equal((await importFor(tokenB, userId)).status, 409, "tenant B's own rule still holds");

        assert.deepEqual(
            emu.imports.list().map((r) => r.snapshotId),
            [a.json.snapshotId],
        );
        assert.deepEqual(
            emu
                .tenant(TENANT_B)!
                .imports.list()
                .map((r) => r.snapshotId),
            [b.json.snapshotId],
        );
        const listB = await http(
            "GET",
            `${SNAPSHOTS}/retrieveSnapshotImportResults(snapshotId='${a.json.snapshotId}')`,
            {
                token: tokenB,
            },
        );
        assert.equal(listB.status, 200);
        assert.deepEqual(listB.json.value, [], "tenant B does not see tenant A's import");
        const stats = emu.stats();
        assert.equal(stats.byTenant[emu.tenantId], 1);
        assert.equal(stats.byTenant[TENANT_B], 3);

        // The control routes tell which tenant holds which import, and act on one tenant's data.
        const tenants = await http("GET", "/_emulator/tenants");
        assert.deepEqual(tenants.json.value, [
            { tenantId: emu.tenantId, imports: [a.json.snapshotId] },
            { tenantId: TENANT_B, imports: [b.json.snapshotId] },
        ]);
        const failed = await http("POST", `/_emulator/tenants/${TENANT_B}/imports/${b.json.snapshotId}/status`, {
            body: { status: "failed", detail: "tenant B's own failure" },
        });
        assert.equal(failed.status, 200);
        assert.equal(emu.tenant(TENANT_B)!.imports.get(b.json.snapshotId)?.importStatus, "failed");
        assert.equal(emu.imports.get(a.json.snapshotId)?.importStatus, "pending");
        assert.equal((await http("GET", `/_emulator/tenants/${randomUUID()}/imports`)).status, 404);
        const cleared = await http("POST", `/_emulator/tenants/${TENANT_B}/imports/clear`);
        assert.equal(cleared.status, 204);
        assert.equal(emu.tenant(TENANT_B)!.imports.list().length, 0);
        assert.equal(emu.imports.list().length, 1, "clearing tenant B leaves the first tenant's");
    });

    it("refuses tenants given twice, without app registrations or fixed after start", async () => {
        assert.throws(
            () => resolveOptions({ tenants: [{ tenantId: TENANT_B, clients: [] }] }),
            /tenants\[0\]\.clients must be a non-empty array/,
        );
        const c = [{ clientId: CLIENT_B, clientSecret: SECRET_B }];
        assert.throws(
            () =>
                resolveOptions({
                    tenants: [
                        { tenantId: TENANT_B, clients: c },
                        { tenantId: TENANT_B, clients: c },
                    ],
                }),
            /given twice/,
        );
        assert.throws(() => resolveOptions({ tenants: [{ tenantId: "contoso", clients: c }] }), /must be a GUID/);
        assert.throws(() => emu.setOptions({ tenants: [] }), /fixed when the emulator starts/);
    });
});
