// The replacement preflight without a network: the VHD footer, the SAS expiry (an injected clock), and how storage
// answers become objections or doubts.
import { strict as assert } from "node:assert";
import { preflightImport, type PreflightDeps } from "../../provider/preflight/preflight";
import { importWindowMs, sasExpiry, sasExpiryObjection } from "../../provider/preflight/sas-expiry";
import { storageBlobUrl } from "../../provider/preflight/storage-endpoint";
import { fixedVhdFooter, judgeVhdFile, parseVhdFooter } from "../../provider/preflight/vhd-footer";
import type { BlobRead } from "../../provider/preflight/blob-reader";
import type { ImportedSnapshotInputs } from "../../provider/resources/imported-snapshot/types";

const MIB = 1024 * 1024;
const NOW = Date.parse("2026-12-02T12:00:00Z");
const HOUR = 3_600_000;

describe("preflight: VHD footer", () => {
    it("reads a fixed VHD's footer per the specification", () => {
        const f = parseVhdFooter(fixedVhdFooter(64 * MIB));
        assert.deepEqual(f, { cookieOk: true, checksumOk: true, diskType: "fixed", currentSize: BigInt(64 * MIB) });
        assert.deepEqual(judgeVhdFile(fixedVhdFooter(64 * MIB), 64 * MIB + 512), { ok: true });
    });

    it("objects to a file that is not a VHD, a damaged footer, and a truncated fixed disk", () => {
        assert.match(
            (judgeVhdFile(Buffer.alloc(512, 7), 10 * MIB) as { objection: string }).objection,
            /not a \.vhd file.*conectix/,
        );
        const damaged = fixedVhdFooter(MIB);
        damaged[100] ^= 0xff;
        assert.match((judgeVhdFile(damaged, MIB + 512) as { objection: string }).objection, /checksum/);
        assert.match(
            (judgeVhdFile(fixedVhdFooter(MIB), MIB) as { objection: string }).objection,
            /should be 1049088 bytes, but the blob is 1048576/,
        );
        assert.match((judgeVhdFile(new Uint8Array(), 100) as { objection: string }).objection, /too short/);
        assert.match(
            (judgeVhdFile(fixedVhdFooter(MIB, 9), MIB + 512) as { objection: string }).objection,
            /no known disk type/,
        );
    });

    it("doubts a dynamic VHD instead of objecting (Windows 365's pages say only .vhd)", () => {
        assert.match((judgeVhdFile(fixedVhdFooter(MIB, 3), 4096) as { doubt: string }).doubt, /dynamic VHD/);
    });
});

describe("preflight: SAS expiry (injected clock)", () => {
    const url = (q: string) => `https://acct.blob.core.windows.net/vhds/a.vhd?sv=2022-11-02&sr=b&sp=r&${q}&sig=abc`;

    it("takes the earlier of se and ske", () => {
        assert.deepEqual(sasExpiry(url("se=2026-12-10T00:00:00Z&ske=2026-12-03T00:00:00Z")), {
            at: Date.parse("2026-12-03T00:00:00Z"),
            field: "ske",
        });
        assert.deepEqual(sasExpiry(url("se=2026-12-10")), { at: Date.parse("2026-12-10"), field: "se" });
        assert.equal(sasExpiry(url("sp=r")), undefined);
    });

    it("objects to an expired SAS and to one that expires within the import window, not to a later one", () => {
        const window = importWindowMs(60);
        assert.equal(window, 4 * HOUR);
        assert.equal(importWindowMs(300), 10 * HOUR);
        assert.match(sasExpiryObjection(url("se=2026-12-01"), NOW, window)!, /expired at 2026-12-01T00:00:00.000Z/);
        assert.match(sasExpiryObjection(url("se=2026-12-02T14:00:00Z"), NOW, window)!, /expires too soon/);
        assert.match(
            sasExpiryObjection(url("se=2026-12-09&ske=2026-12-02T13:00:00Z"), NOW, window)!,
            /user delegation key/,
        );
        assert.equal(sasExpiryObjection(url("se=2026-12-02T16:00:01Z"), NOW, window), undefined);
        assert.ok(
            !sasExpiryObjection(url("se=2026-12-01"), NOW, window)!.includes("sig"),
            "the message quotes no credential",
        );
    });
});

describe("preflight: storage answers", () => {
    const sas = "https://acct.blob.core.windows.net/vhds/new.vhd?sv=2022-11-02&sp=r&se=2027-01-01&sig=SECRETSIG";
    const blobInfo = {
        storageAccountId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
        containerName: "vhds",
        fileName: "dir/new os.vhd",
    };
    const inputs = (file: ImportedSnapshotInputs["sourceFiles"][0]): ImportedSnapshotInputs => ({
        assignedUserId: "u",
        sourceFiles: [{ fileType: "dataFile", ...file }],
        waitForCompletion: true,
        timeoutMinutes: 60,
    });
    const deps = (answer: BlobRead, seen: string[] = []): PreflightDeps => ({
        now: () => NOW,
        storageEndpoint: "https://{account}.blob.core.windows.net",
        credential: () => undefined,
        read: async (u) => {
            seen.push(u);
            return answer;
        },
    });
    const good: BlobRead = { kind: "read", length: MIB + 512, blobType: "PageBlob", tail: fixedVhdFooter(MIB) };

    it("builds the blob URL from the account id, path-style templates included", () => {
        assert.equal(
            storageBlobUrl("https://{account}.blob.core.windows.net", blobInfo),
            "https://acct.blob.core.windows.net/vhds/dir/new%20os.vhd",
        );
        assert.equal(
            storageBlobUrl("https://127.0.0.1:10000/{account}/", blobInfo),
            "https://127.0.0.1:10000/acct/vhds/dir/new%20os.vhd",
        );
    });

    it("a good fixed VHD in a page blob draws nothing", async () => {
        assert.deepEqual(await preflightImport(inputs({ storageBlobInfo: blobInfo }), deps(good)), {
            objections: [],
            doubts: [],
        });
    });

    it("BlobNotFound objects for either source; AuthenticationFailed objects only for a SAS", async () => {
        const notFound: BlobRead = { kind: "refused", status: 404, code: "BlobNotFound" };
        assert.match(
            (await preflightImport(inputs({ sasUrl: sas }), deps(notFound))).objections[0]!,
            /does not exist \(storage answered 404 BlobNotFound\)/,
        );
        assert.equal(
            (await preflightImport(inputs({ storageBlobInfo: blobInfo }), deps(notFound))).objections.length,
            1,
        );
        const authn: BlobRead = { kind: "refused", status: 403, code: "AuthenticationFailed" };
        assert.match(
            (await preflightImport(inputs({ sasUrl: sas }), deps(authn))).objections[0]!,
            /AuthenticationFailed/,
        );
        const mine = await preflightImport(inputs({ storageBlobInfo: blobInfo }), deps(authn));
        assert.deepEqual(
            [mine.objections.length, mine.doubts.length],
            [0, 1],
            "the provider's own token refused says nothing about Windows 365's",
        );
    });

    for (const code of ["AuthorizationFailure", "AuthorizationSourceIPMismatch", "AuthorizationPermissionMismatch"]) {
        it(`${code} is a doubt, not an objection`, async () => {
            const v = await preflightImport(inputs({ sasUrl: sas }), deps({ kind: "refused", status: 403, code }));
            assert.deepEqual(v.objections, []);
            assert.match(v.doubts[0]!, new RegExp(code));
        });
    }

    it("an expired SAS objects without reading; an unreachable blob is a doubt; a block blob is a doubt", async () => {
        const seen: string[] = [];
        const expired = await preflightImport(
            inputs({ sasUrl: sas.replace("se=2027-01-01", "se=2026-11-30") }),
            deps(good, seen),
        );
        assert.match(expired.objections[0]!, /expired/);
        assert.equal(seen.length, 0);
        const down = await preflightImport(
            inputs({ storageBlobInfo: blobInfo }),
            deps({ kind: "unreachable", why: "ENOTFOUND" }),
        );
        assert.deepEqual(down, {
            objections: [],
            doubts: ["sourceFiles[0] (dataFile, acct/vhds/dir/new os.vhd) could not be checked: ENOTFOUND"],
        });
        const block = await preflightImport(
            inputs({ storageBlobInfo: blobInfo }),
            deps({ ...good, blobType: "BlockBlob" }),
        );
        assert.match(block.doubts[0]!, /BlockBlob/);
    });

    it("never quotes the SAS signature", async () => {
        const v = await preflightImport(
            inputs({ sasUrl: sas }),
            deps({ kind: "refused", status: 404, code: "BlobNotFound" }),
        );
        assert.ok(!JSON.stringify(v).includes("SECRETSIG"));
        assert.match(v.objections[0]!, /acct\.blob\.core\.windows\.net\/vhds\/new\.vhd/);
    });
});
