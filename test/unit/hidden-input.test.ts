// The hidden input __cloudpc (stack and URN, sent by the resource classes for the pending-import notes): diff never
// looks at it, so a new stack name, a moved project or a first run after an upgrade changes nothing; check() accepts
// what the classes send and names anything else.
import { strict as assert } from "node:assert";
import { checkCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/check";
import { diffCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/diff";
import { asInputs, checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { diffImportedSnapshot } from "../../provider/resources/imported-snapshot/diff";
import { toOutputs } from "../../provider/resources/imported-snapshot/state";
import { inputs } from "../fixtures";

const ID = "d09ae73d-b70f-4836-95c1-59652c947e1c";
const PC = "3b0f4a7e-6c1d-4e8a-9b2f-0c1d2e3f4a5b";
const hidden = (stack: string, name = "a") => ({
    organization: "acme",
    project: "fleet",
    stack,
    urn: `urn:pulumi:${stack}::fleet::pulumi-nodejs:dynamic:Resource::${name}`,
    reserved: [],
});

describe("hidden input __cloudpc", () => {
    it("diff of CloudPcImportedSnapshot ignores it: no update, no replacement", () => {
        const olds = toOutputs(asInputs(checkImportedSnapshot(inputs({ __cloudpc: hidden("ja") })).inputs), ID, {
            snapshotId: ID,
        }) as never;
        for (const news of [inputs({ __cloudpc: hidden("jb", "b") }), inputs(), inputs({ __cloudpc: hidden("ja") })]) {
            const d = diffImportedSnapshot(olds, checkImportedSnapshot(news).inputs);
            assert.deepEqual([d.changes, d.replaces], [false, []]);
        }
    });

    it("diff of CloudPcSnapshot ignores it", () => {
        const olds = { cloudPcId: PC, storageAccountId: null, accessTier: null, __cloudpc: hidden("ja") };
        const d = diffCloudPcSnapshot(olds, checkCloudPcSnapshot({ cloudPcId: PC, __cloudpc: hidden("jb") }).inputs);
        assert.deepEqual([d.changes, d.replaces], [false, []]);
    });

    it("check() accepts what the classes send, and names reserved or output names the program gave", () => {
        assert.deepEqual(checkImportedSnapshot(inputs({ __cloudpc: hidden("ja") })).failures, []);
        assert.deepEqual(checkCloudPcSnapshot({ cloudPcId: PC, __cloudpc: hidden("ja") }).failures, []);
        const given = checkImportedSnapshot(
            inputs({ __cloudpc: { ...hidden("ja"), reserved: ["__provider", "snapshotId"] } }),
        ).failures;
        assert.deepEqual(
            given.map((f) => f.property),
            ["__provider", "snapshotId"],
        );
        assert.match(given[1]!.reason, /snapshotId is an output of CloudPcImportedSnapshot.*adoptSnapshotId/);
        const forged = checkImportedSnapshot(inputs({ __cloudpc: "ja" })).failures;
        assert.deepEqual(
            forged.map((f) => f.property),
            ["__cloudpc"],
        );
        assert.equal(asInputs(checkImportedSnapshot(inputs({ __cloudpc: hidden("ja") })).inputs).owner?.stack, "ja");
    });
});
