import { strict as assert } from "node:assert";
import { checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { diffImportedSnapshot, importedSnapshotStateOutdated } from "../../provider/resources/imported-snapshot/diff";
import { diff as diffHandler } from "../../provider/resources/imported-snapshot/handlers";
import { sha256, toOutputs } from "../../provider/resources/imported-snapshot/state";
import type { ImportedSnapshotInputs } from "../../provider/resources/imported-snapshot/types";
import { UNKNOWN } from "../../provider/validation/unknown";
import { blobFile, inputs, OTHER_USER } from "../fixtures";

const ID = "d09ae73d-b70f-4836-95c1-59652c947e1c";

function outputsFor(news: Record<string, unknown>) {
    const checked = checkImportedSnapshot(news).inputs as unknown as ImportedSnapshotInputs;
    return toOutputs(checked, ID, { snapshotId: ID, importStatus: "succeeded" }) as unknown as Record<string, unknown>;
}

function diff(oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>) {
    return diffImportedSnapshot(outputsFor(oldInputs), checkImportedSnapshot(newInputs).inputs);
}

describe("diff(): replacement rules", () => {
    it("reports no change for the same inputs", () => {
        const d = diff(inputs(), inputs());
        assert.equal(d.changes, false);
        assert.deepEqual(d.replaces, []);
    });

    it("treats storage account ids case-insensitively", () => {
        const upper = inputs({
            sourceFiles: [
                {
                    storageBlobInfo: {
                        ...blobFile().storageBlobInfo,
                        storageAccountId: blobFile()
                            .storageBlobInfo.storageAccountId.toUpperCase()
                            .replace("/SUBSCRIPTIONS", "/subscriptions"),
                    },
                },
            ],
        });
        assert.equal(diff(inputs(), upper).changes, false);
    });

    it("replaces, deleting first, when the blob changes for the same user", () => {
        const d = diff(inputs(), inputs({ sourceFiles: [blobFile("user1-os-v2.vhd")] }));
        assert.deepEqual(d.replaces, ["sourceFiles"]);
        assert.equal(d.deleteBeforeReplace, true);
    });

    it("replaces create-first when the user changes", () => {
        const d = diff(inputs(), inputs({ assignedUserId: OTHER_USER }));
        assert.deepEqual(d.replaces, ["assignedUserId"]);
        assert.equal(d.deleteBeforeReplace, false);
    });

    it("never re-imports for waitForCompletion or timeoutMinutes", () => {
        assert.equal(diff(inputs(), inputs({ waitForCompletion: false, timeoutMinutes: 5 })).changes, false);
    });

    it("replaces when adoptSnapshotId names another import, not when it names this one", () => {
        assert.equal(diff(inputs(), inputs({ adoptSnapshotId: ID })).changes, false);
        const d = diff(inputs(), inputs({ adoptSnapshotId: "11111111-2222-4333-8444-555555555555" }));
        assert.deepEqual(d.replaces, ["adoptSnapshotId"]);
        assert.equal(d.deleteBeforeReplace, true);
    });

    it("assumes change, delete-first, for values unknown in preview", () => {
        const d = diffImportedSnapshot(outputsFor(inputs()), {
            ...checkImportedSnapshot(inputs()).inputs,
            assignedUserId: UNKNOWN,
        });
        assert.ok(d.replaces.includes("assignedUserId"));
        assert.equal(d.deleteBeforeReplace, true);
    });
});

/** SAS_URL with its query string replaced by `query` (the same host and path). */
function sas(
    query: string,
    path = "/vhds/user1-os.vhd",
    host = "cloudpcvhds.blob.core.windows.net",
): Record<string, unknown> {
    return inputs({ sourceFiles: [{ sasUrl: `https://${host}${path}?${query}` }] });
}

const CREDENTIALS = "sp=r&st=2026-11-01T00:00:00Z&se=2026-12-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=AAAA%3D";

describe("diff(): a sasUrl is judged by the file it points at, not by its credentials", () => {
    it("a new signature, expiry, start, permissions or any other token field is no change at all", () => {
        const old = sas(CREDENTIALS);
        const rotations = [
            "sp=r&st=2026-11-02T00:00:00Z&se=2026-12-02T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=BBBB%3D",
            "sp=rl&sv=2025-01-05&sr=b&sig=CCCC%3D&sip=10.0.0.1&si=policy1",
            "sv=2025-01-05&ss=b&srt=o&sp=r&se=2027-01-01&skoid=a&sktid=b&skt=c&ske=d&sks=b&skv=e&sig=DDDD%3D",
            "sig=EEEE%3D&rscc=no-cache&sdd=1&ses=x",
            "", // no query string at all: still the same blob
        ];
        for (const query of rotations) {
            const d = diff(old, sas(query));
            assert.equal(d.changes, false, `rotated to ?${query}`);
            assert.deepEqual(d.replaces, []);
        }
    });

    it("another path, host or scheme is another file: replaced, delete-first for the same user", () => {
        for (const other of [
            sas(CREDENTIALS, "/vhds/user1-os-v2.vhd"),
            sas(CREDENTIALS, "/other-container/user1-os.vhd"),
            sas(CREDENTIALS, "/vhds/User1-os.vhd"), // blob names are case-sensitive
            sas(CREDENTIALS, "/vhds/user1-os.vhd", "otheraccount.blob.core.windows.net"),
        ]) {
            const d = diff(sas(CREDENTIALS), other);
            assert.deepEqual(d.replaces, ["sourceFiles"]);
            assert.equal(d.deleteBeforeReplace, true);
        }
        const stored = outputsFor(sas(CREDENTIALS));
        const http = {
            ...checkImportedSnapshot(sas(CREDENTIALS)).inputs,
            sourceFiles: [
                {
                    sourceType: "sasUrl",
                    fileType: "dataFile",
                    sasUrl: `http://cloudpcvhds.blob.core.windows.net/vhds/user1-os.vhd?${CREDENTIALS}`,
                },
            ],
        };
        assert.deepEqual(diffImportedSnapshot(stored, http).replaces, ["sourceFiles"]);
    });

    it("snapshot and versionid select another blob: a change there replaces; their names' case does not matter", () => {
        const snap = (v: string) => sas(`${CREDENTIALS}&snapshot=${v}`);
        assert.equal(diff(snap("2026-11-20T10:00:00.0000000Z"), snap("2026-11-20T10:00:00.0000000Z")).changes, false);
        assert.deepEqual(diff(snap("2026-11-20T10:00:00.0000000Z"), snap("2026-11-21T10:00:00.0000000Z")).replaces, [
            "sourceFiles",
        ]);
        assert.deepEqual(diff(sas(CREDENTIALS), snap("2026-11-20T10:00:00.0000000Z")).replaces, ["sourceFiles"]);
        assert.deepEqual(diff(snap("2026-11-20T10:00:00.0000000Z"), sas(CREDENTIALS)).replaces, ["sourceFiles"]);
        assert.deepEqual(diff(sas(`versionid=v1&${CREDENTIALS}`), sas(`versionid=v2&${CREDENTIALS}`)).replaces, [
            "sourceFiles",
        ]);
        assert.equal(diff(sas(`versionId=v1&${CREDENTIALS}`), sas(`sig=X&versionid=v1`)).changes, false);
        assert.equal(diff(sas(`Snapshot=s1&versionid=v1`), sas(`versionid=v1&sig=Y&snapshot=s1`)).changes, false);
    });

    it("state keeps what the URL points at and none of its credentials", () => {
        const stored = JSON.stringify(outputsFor(sas(`${CREDENTIALS}&snapshot=2026-11-20T10%3A00%3A00Z&skoid=k`)));
        for (const secret of ["sig=", "AAAA", "se=", "st=", "sp=", "sv=", "skoid", "2026-12-01"]) {
            assert.ok(!stored.includes(secret), `state holds ${secret}: ${stored}`);
        }
        assert.match(
            stored,
            /"sasUrlRedacted":"https:\/\/cloudpcvhds\.blob\.core\.windows\.net\/vhds\/user1-os\.vhd\?snapshot=2026-11-20T10%3A00%3A00Z"/,
        );
        assert.ok(!stored.includes("sasUrlSha256"), "no hash of the whole URL (it would change with every signature)");
    });

    it("an unknown sasUrl (preview) is assumed to be another file", () => {
        const news = {
            ...checkImportedSnapshot(sas(CREDENTIALS)).inputs,
            sourceFiles: [{ sourceType: "sasUrl", fileType: "dataFile", sasUrl: UNKNOWN }],
        };
        assert.deepEqual(diffImportedSnapshot(outputsFor(sas(CREDENTIALS)), news).replaces, ["sourceFiles"]);
    });
});

describe("diff(): state written by 0.1.0 (a SHA-256 of the whole SAS URL, its origin and path)", () => {
    /** Outputs as 0.1.0 recorded them for this SAS URL. */
    function outputsOf010(sasUrl: string): Record<string, unknown> {
        const url = new URL(sasUrl);
        const outs = outputsFor(inputs({ sourceFiles: [{ sasUrl }] }));
        return {
            ...outs,
            sourceFiles: [
                {
                    sourceType: "sasUrl",
                    fileType: "dataFile",
                    sasUrlRedacted: `${url.origin}${url.pathname}`,
                    sasUrlSha256: sha256(sasUrl),
                },
            ],
        };
    }
    const url = (query: string, p = "/vhds/user1-os.vhd") => `https://cloudpcvhds.blob.core.windows.net${p}?${query}`;
    const newsFor = (sasUrl: string) => checkImportedSnapshot(inputs({ sourceFiles: [{ sasUrl }] })).inputs;

    it("the same URL, or a rotated one of the same blob, is no replacement", () => {
        const old = outputsOf010(url(CREDENTIALS));
        assert.deepEqual(diffImportedSnapshot(old, newsFor(url(CREDENTIALS))).replaces, []);
        assert.deepEqual(diffImportedSnapshot(old, newsFor(url("sv=2025-01-05&sig=ZZZZ"))).replaces, []);
        const pinned = outputsOf010(url(`snapshot=s1&${CREDENTIALS}`));
        assert.deepEqual(diffImportedSnapshot(pinned, newsFor(url(`snapshot=s1&${CREDENTIALS}`))).replaces, []);
    });

    it("another path replaces; a URL selecting a snapshot or version replaces unless it is the very same URL", () => {
        const old = outputsOf010(url(CREDENTIALS));
        assert.deepEqual(diffImportedSnapshot(old, newsFor(url(CREDENTIALS, "/vhds/other.vhd"))).replaces, [
            "sourceFiles",
        ]);
        assert.deepEqual(diffImportedSnapshot(old, newsFor(url(`snapshot=s1&${CREDENTIALS}`))).replaces, [
            "sourceFiles",
        ]);
    });

    it("is recognised as state to rewrite; current state is not", () => {
        assert.equal(importedSnapshotStateOutdated(outputsOf010(url(CREDENTIALS))), true);
        assert.equal(importedSnapshotStateOutdated(outputsFor(sas(CREDENTIALS))), false);
        assert.equal(importedSnapshotStateOutdated(outputsFor(inputs())), false);
    });
});

describe("the provider's diff: what is stored is rewritten (an update, never a replace) when it is out of date", () => {
    const PROVIDER_TEXT = "exports.handler = () => ({}); // the current provider";
    const olds = (extra: Record<string, unknown> = {}) => ({
        ...outputsFor(sas(CREDENTIALS)),
        __provider: PROVIDER_TEXT,
        ...extra,
    });
    const news = (query = CREDENTIALS, provider: string = PROVIDER_TEXT) => ({
        ...checkImportedSnapshot(sas(query)).inputs,
        __provider: provider,
    });

    it("the same provider text and file: no change, also after the SAS rotated", async () => {
        assert.equal((await diffHandler("id", olds(), news())).changes, false);
        assert.equal((await diffHandler("id", olds(), news("sig=ROTATED"))).changes, false);
    });

    it("another provider text stored (0.1.0's, with its path): a change with no replacement", async () => {
        const d = await diffHandler(
            "id",
            olds({ __provider: 'var __H = {path: "./node_modules/x/handlers"};' }),
            news("sig=ROTATED"),
        );
        assert.equal(d.changes, true);
        assert.deepEqual(d.replaces ?? [], []);
    });

    it("an unknown provider text (preview) is no reason to rewrite", async () => {
        assert.equal((await diffHandler("id", olds(), news(CREDENTIALS, UNKNOWN))).changes, false);
    });

    it("a replacement stays a replacement", async () => {
        const d = await diffHandler("id", olds({ __provider: "old" }), { ...news(), assignedUserId: OTHER_USER });
        assert.deepEqual(d.replaces, ["assignedUserId"]);
    });
});
