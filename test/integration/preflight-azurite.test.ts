// The replacement preflight against a real storage emulator: Azurite over HTTPS with OAuth, reached through a fault
// proxy for the refusals Azurite does not model. SAS URLs and storageBlobInfo reads, path-style URLs throughout.
import { strict as assert } from "node:assert";
import type { ProviderSettings } from "../../provider/config/settings";
import { gateReplacement, ReplacementRefusedError } from "../../provider/preflight/replacement-gate";
import { preflightImport, type PreflightDeps } from "../../provider/preflight/preflight";
import { readBlobTail } from "../../provider/preflight/blob-reader";
import { STORAGE_SCOPE } from "../../provider/preflight/storage-endpoint";
import { RecordingProgress } from "../../provider/runtime/progress";
import type { ImportedSnapshotInputs, SourceFile } from "../../provider/resources/imported-snapshot/types";
import { startAzurite, startFaultProxy, type Azurite, type FaultProxy } from "../harness/azurite";
import { AzuriteTokenCredential, DevStorage, DISK_SIZE, syntheticFixedVhd } from "../harness/storage-blobs";

const ACCOUNT_ID =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1";
const DAY = 86_400_000;

describe("preflight against Azurite (HTTPS, OAuth, fault proxy)", function () {
    this.timeout(60_000);
    let azurite: Azurite;
    let proxy: FaultProxy;
    let storage: DevStorage;
    let credential: AzuriteTokenCredential;

    before(async () => {
        azurite = await startAzurite();
        proxy = await startFaultProxy(azurite.origin);
        storage = new DevStorage(azurite.origin);
        await storage.container("vhds");
        const vhd = syntheticFixedVhd();
        await storage.putPageBlob("vhds", "good.vhd", vhd);
        await storage.putPageBlob("vhds", "truncated.vhd", vhd.subarray(512)); // a fixed disk missing its first sector
        await storage.putPageBlob("vhds", "not-a-vhd.vhd", Buffer.alloc(DISK_SIZE, 0x41));
        await storage.putBlockBlob("vhds", "block.vhd", vhd);
        await storage.putPageBlob("vhds", "dynamic.vhd", syntheticFixedVhd(DISK_SIZE, 3));
    });
    after(async () => {
        await proxy?.close();
        await azurite?.close();
    });
    beforeEach(() => {
        proxy.faults.length = 0;
        credential = new AzuriteTokenCredential();
    });

    const deps = (): PreflightDeps => ({
        now: Date.now,
        storageEndpoint: `${proxy.origin}/{account}`,
        credential: () => credential,
    });
    const run = (file: SourceFile, timeoutMinutes = 60) =>
        preflightImport(
            {
                assignedUserId: "u",
                sourceFiles: [{ fileType: "dataFile", ...file }],
                waitForCompletion: true,
                timeoutMinutes,
            },
            deps(),
        );
    const blob = (fileName: string): SourceFile => ({
        storageBlobInfo: { storageAccountId: ACCOUNT_ID, containerName: "vhds", fileName },
    });
    const sas = (name: string, expiresIn = 2 * DAY) =>
        storage.sasUrl(proxy.origin, "vhds", name, new Date(Date.now() + expiresIn));

    it("reads a path-style blob's length, type and footer with @azure/storage-blob", async () => {
        const read = await readBlobTail(`${azurite.origin}/devstoreaccount1/vhds/good.vhd`, { credential });
        assert.equal(read.kind, "read");
        if (read.kind !== "read") return;
        assert.equal(read.length, DISK_SIZE + 512);
        assert.equal(read.blobType, "PageBlob");
        assert.equal(Buffer.from(read.tail).subarray(0, 8).toString("latin1"), "conectix");
        assert.deepEqual(credential.scopes, [STORAGE_SCOPE]);
    });

    it("storageBlobInfo: a good fixed VHD passes, read with a storage token", async () => {
        assert.deepEqual(await run(blob("good.vhd")), { objections: [], doubts: [] });
        assert.ok(credential.scopes.includes(STORAGE_SCOPE));
    });

    it("storageBlobInfo: a missing blob, a truncated VHD and a file that is no VHD are definite objections", async () => {
        assert.match(
            (await run(blob("missing.vhd"))).objections[0]!,
            /does not exist \(storage answered 404 BlobNotFound\)/,
        );
        assert.match((await run(blob("truncated.vhd"))).objections[0]!, /not a complete fixed VHD/);
        assert.match((await run(blob("not-a-vhd.vhd"))).objections[0]!, /not a \.vhd file/);
    });

    it("storageBlobInfo: a block blob and a dynamic VHD are doubts", async () => {
        assert.deepEqual((await run(blob("block.vhd"))).objections, []);
        assert.match((await run(blob("block.vhd"))).doubts[0]!, /BlockBlob/);
        assert.match((await run(blob("dynamic.vhd"))).doubts[0]!, /dynamic VHD/);
    });

    it("storageBlobInfo: a token Azurite refuses is a doubt, not an objection", async () => {
        const v = await preflightImport(
            {
                assignedUserId: "u",
                sourceFiles: [{ fileType: "dataFile", ...blob("good.vhd") }],
                waitForCompletion: true,
                timeoutMinutes: 60,
            },
            {
                ...deps(),
                credential: () => ({
                    getToken: async () => ({ token: "not-a-jwt", expiresOnTimestamp: Date.now() + 3_600_000 }),
                }),
            },
        );
        assert.deepEqual(v.objections, []);
        assert.match(v.doubts[0]!, /refused the provider's read \(\d+ \w+\)/);
    });

    for (const code of ["AuthorizationFailure", "AuthorizationSourceIPMismatch", "AuthorizationPermissionMismatch"]) {
        it(`a ${code} refusal (fault proxy) is a doubt for a SAS and for storageBlobInfo`, async () => {
            proxy.faults.push({ pathContains: "/good.vhd", status: 403, code });
            for (const v of [await run(blob("good.vhd")), await run({ sasUrl: sas("good.vhd") })]) {
                assert.deepEqual(v.objections, []);
                assert.match(v.doubts[0]!, new RegExp(`403 ${code}`));
            }
        });
    }

    it("SAS: a good blob passes; a missing one and an expiring SAS are objections", async () => {
        assert.deepEqual(await run({ sasUrl: sas("good.vhd") }), { objections: [], doubts: [] });
        assert.match((await run({ sasUrl: sas("missing.vhd") })).objections[0]!, /BlobNotFound/);
        assert.match((await run({ sasUrl: sas("good.vhd", 60 * 60_000) })).objections[0]!, /expires too soon/);
        assert.match(
            (await run({ sasUrl: sas("good.vhd", 9 * 3_600_000) }, 300)).objections[0]!,
            /expires too soon/,
            "twice a 5 h timeout is 10 h",
        );
    });

    it("SAS: a forged signature is an objection when refused as Azure refuses it (AuthenticationFailed)", async () => {
        const forged = sas("good.vhd").replace(/sig=[^&]+/, "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D");
        // Azurite answers a bad signature with 403 AuthorizationFailure, a code Azure uses for firewall refusals too:
        // by our rule a doubt. Azure answers it with 403 AuthenticationFailed; the fault proxy answers as Azure does.
        const byAzurite = await run({ sasUrl: forged });
        assert.deepEqual(byAzurite.objections, []);
        assert.match(byAzurite.doubts[0]!, /403 AuthorizationFailure/);
        proxy.faults.push({ pathContains: "sig=AAAA", status: 403, code: "AuthenticationFailed" });
        assert.match(
            (await run({ sasUrl: forged })).objections[0]!,
            /cannot be read with its SAS.*AuthenticationFailed/,
        );
        assert.deepEqual(
            await run({ sasUrl: sas("good.vhd") }),
            { objections: [], doubts: [] },
            "the good signature still reads",
        );
    });

    it("storage that does not answer is a doubt; verifiedReplacementsOnly turns it into a refusal", async () => {
        const closed = { ...deps(), storageEndpoint: "https://127.0.0.1:1/{account}" };
        const v = await preflightImport(
            { assignedUserId: "u", sourceFiles: [blob("good.vhd")], waitForCompletion: true, timeoutMinutes: 60 },
            closed,
        );
        assert.deepEqual(v.objections, []);
        assert.match(v.doubts[0]!, /could not be checked: ECONNREFUSED/);
        const inputs: ImportedSnapshotInputs = {
            assignedUserId: "u",
            sourceFiles: [blob("good.vhd")],
            waitForCompletion: true,
            timeoutMinutes: 60,
        };
        const progress = new RecordingProgress();
        const settings = { storageEndpoint: "https://127.0.0.1:1/{account}" } as ProviderSettings;
        await gateReplacement({ settings, progress, credential: () => credential }, "old-id", inputs);
        assert.match(
            progress.lines.join("\n"),
            /warn: Replacing import old-id of user u: .*could not be checked.*Going ahead/,
        );
        await assert.rejects(
            gateReplacement(
                { settings: { ...settings, verifiedReplacementsOnly: true }, progress, credential: () => credential },
                "old-id",
                inputs,
            ),
            (e: Error) =>
                e instanceof ReplacementRefusedError &&
                /verifiedReplacementsOnly/.test(e.message) &&
                /Nothing was purged/.test(e.message),
        );
    });
});
