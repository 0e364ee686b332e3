import { strict as assert } from "node:assert";
import { checkImportedSnapshot } from "../provider/resources/imported-snapshot/check";
import { diffImportedSnapshot } from "../provider/resources/imported-snapshot/diff";
import { toOutputs } from "../provider/resources/imported-snapshot/state";
import type { ImportedSnapshotInputs } from "../provider/resources/imported-snapshot/types";
import { UNKNOWN } from "../provider/validation/unknown";
import { blobFile, inputs, OTHER_USER, SAS_URL } from "./fixtures";

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
        const upper = inputs({ sourceFiles: [{ storageBlobInfo: { ...blobFile().storageBlobInfo, storageAccountId: blobFile().storageBlobInfo.storageAccountId.toUpperCase().replace("/SUBSCRIPTIONS", "/subscriptions") } }] });
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

    it("sees a new SAS signature although state holds only its hash", () => {
        const old = inputs({ sourceFiles: [{ sasUrl: SAS_URL }] });
        assert.equal(diff(old, old).changes, false);
        const d = diff(old, inputs({ sourceFiles: [{ sasUrl: SAS_URL.replace("sig=", "sig=NEW") }] }));
        assert.deepEqual(d.replaces, ["sourceFiles"]);
        assert.ok(!JSON.stringify(outputsFor(old)).includes("sig="), "state keeps no signature");
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
        const d = diffImportedSnapshot(outputsFor(inputs()), { ...checkImportedSnapshot(inputs()).inputs, assignedUserId: UNKNOWN });
        assert.ok(d.replaces.includes("assignedUserId"));
        assert.equal(d.deleteBeforeReplace, true);
    });
});
