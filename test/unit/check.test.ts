import { strict as assert } from "node:assert";
import { checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { UNKNOWN } from "../../provider/validation/unknown";
import { blobFile, inputs, SAS_SIG, SAS_URL, STORAGE_ACCOUNT_ID } from "../fixtures";

function failuresOf(news: Record<string, unknown>) {
    return checkImportedSnapshot(news).failures;
}

function expectFailure(news: Record<string, unknown>, property: string, text: RegExp) {
    const failures = failuresOf(news);
    const hit = failures.find((f) => f.property === property);
    assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(failures)}`);
    assert.match(hit.reason, text);
    assert.ok(hit.reason.startsWith(property), "the reason names the property");
}

describe("check(): CloudPcImportedSnapshot inputs", () => {
    it("accepts a blob reference and fills defaults", () => {
        const r = checkImportedSnapshot(inputs());
        assert.deepEqual(r.failures, []);
        assert.equal(r.inputs.waitForCompletion, true);
        assert.equal(r.inputs.timeoutMinutes, 60);
        const f = (r.inputs.sourceFiles as any[])[0];
        assert.equal(f.sourceType, "azureStorageAccount");
        assert.equal(f.fileType, "dataFile");
    });

    it("folds the blobName alias into fileName", () => {
        const r = checkImportedSnapshot(
            inputs({
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId: STORAGE_ACCOUNT_ID,
                            containerName: "vhds",
                            blobName: "a.vhd",
                        },
                    },
                ],
            }),
        );
        assert.deepEqual(r.failures, []);
        const info = (r.inputs.sourceFiles as any[])[0].storageBlobInfo;
        assert.equal(info.fileName, "a.vhd");
        assert.equal("blobName" in info, false);
    });

    it("accepts a SAS URL and infers sourceType sasUrl", () => {
        const r = checkImportedSnapshot(inputs({ sourceFiles: [{ sasUrl: SAS_URL }] }));
        assert.deepEqual(r.failures, []);
        assert.equal((r.inputs.sourceFiles as any[])[0].sourceType, "sasUrl");
    });

    it("requires a GUID user", () => {
        expectFailure(inputs({ assignedUserId: undefined }), "assignedUserId", /required/);
        expectFailure(inputs({ assignedUserId: "alice@contoso.com" }), "assignedUserId", /GUID/);
        expectFailure(inputs({ assignedUserId: 42 }), "assignedUserId", /a number/);
    });

    it("requires at least one source file and exactly one dataFile", () => {
        expectFailure(inputs({ sourceFiles: [] }), "sourceFiles", /at least one/);
        expectFailure(inputs({ sourceFiles: undefined }), "sourceFiles", /required/);
        expectFailure(
            inputs({ sourceFiles: [{ ...blobFile(), fileType: "virtualMachineGuestState" }] }),
            "sourceFiles",
            /exactly one file with fileType "dataFile"/,
        );
        expectFailure(inputs({ sourceFiles: [blobFile("a.vhd"), blobFile("b.vhd")] }), "sourceFiles", /exactly one/);
    });

    it("rejects a malformed storage account id, container and blob names", () => {
        expectFailure(
            inputs({
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId: "/subscriptions/x/resourceGroups/rg",
                            containerName: "vhds",
                            fileName: "a.vhd",
                        },
                    },
                ],
            }),
            "sourceFiles[0].storageBlobInfo.storageAccountId",
            /ARM resource id/,
        );
        expectFailure(
            inputs({
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId: STORAGE_ACCOUNT_ID.replace(
                                "0231ef39-1113-4772-bffe-26e7d8a15c9e",
                                "not-a-guid",
                            ),
                            containerName: "vhds",
                            fileName: "a.vhd",
                        },
                    },
                ],
            }),
            "sourceFiles[0].storageBlobInfo.storageAccountId",
            /not a GUID/,
        );
        expectFailure(
            inputs({ sourceFiles: [blobFile("a.vhd", "Bad_Container")] }),
            "sourceFiles[0].storageBlobInfo.containerName",
            /container name/,
        );
        expectFailure(
            inputs({ sourceFiles: [blobFile("disk.vhdx")] }),
            "sourceFiles[0].storageBlobInfo.fileName",
            /\.vhd/,
        );
        expectFailure(
            inputs({ sourceFiles: [blobFile("../../etc/passwd.vhd")] }),
            "sourceFiles[0].storageBlobInfo.fileName",
            /"\.\."/,
        );
        expectFailure(
            inputs({ sourceFiles: [blobFile("a\nb.vhd")] }),
            "sourceFiles[0].storageBlobInfo.fileName",
            /control characters/,
        );
    });

    it("rejects http and signature-less SAS URLs without echoing the URL", () => {
        expectFailure(
            inputs({ sourceFiles: [{ sasUrl: SAS_URL.replace("https:", "http:") }] }),
            "sourceFiles[0].sasUrl",
            /https/,
        );
        expectFailure(
            inputs({ sourceFiles: [{ sasUrl: SAS_URL.replace(/&sig=.*/, "") }] }),
            "sourceFiles[0].sasUrl",
            /signature/,
        );
        const all = JSON.stringify(failuresOf(inputs({ sourceFiles: [{ sasUrl: SAS_URL.replace(".vhd", ".vhdx") }] })));
        assert.match(all, /\.vhd/);
        assert.ok(!all.includes(SAS_SIG), "the signature is never quoted back");
    });

    it("rejects an entry with both a blob and a SAS URL, or neither", () => {
        expectFailure(inputs({ sourceFiles: [{ ...blobFile(), sasUrl: SAS_URL }] }), "sourceFiles[0]", /both/);
        expectFailure(inputs({ sourceFiles: [{ fileType: "dataFile" }] }), "sourceFiles[0]", /needs storageBlobInfo/);
        expectFailure(
            inputs({ sourceFiles: [{ sourceType: "sasUrl", ...blobFile() }] }),
            "sourceFiles[0].sourceType",
            /sasUrl/,
        );
    });

    it("rejects unknown inputs, bad timeouts and a malformed adoptSnapshotId", () => {
        expectFailure(inputs({ assignedUser: "x" }), "assignedUser", /not an input/);
        expectFailure(inputs({ timeoutMinutes: 0 }), "timeoutMinutes", /above 0/);
        expectFailure(inputs({ timeoutMinutes: "10" }), "timeoutMinutes", /number/);
        expectFailure(inputs({ waitForCompletion: "yes" }), "waitForCompletion", /true or false/);
        expectFailure(inputs({ adoptSnapshotId: "nope" }), "adoptSnapshotId", /GUID/);
    });

    it("skips validation of values unknown during preview", () => {
        assert.deepEqual(failuresOf(inputs({ assignedUserId: UNKNOWN })), []);
        assert.deepEqual(failuresOf(inputs({ sourceFiles: UNKNOWN })), []);
        assert.deepEqual(
            failuresOf(
                inputs({
                    sourceFiles: [
                        { storageBlobInfo: { storageAccountId: UNKNOWN, containerName: "vhds", fileName: UNKNOWN } },
                    ],
                }),
            ),
            [],
        );
    });
});
