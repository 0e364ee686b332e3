// The soak (scripts/soak/run.ts) in its short configuration: a few hundred operations through the dynamic-provider
// gRPC server against the emulator with a fifth of Graph requests faulted; nothing lost, duplicated or orphaned.
// Also: the soak's counters do see planted damage, and the lifecycle bugs it found stay fixed.
import { strict as assert } from "node:assert";
import { startEmulator, type Emulator } from "../../emulator";
import { parseImportRequest } from "../../emulator/import-request";
import { defaultUpn } from "../../emulator/options";
import type { InMemoryImportStore } from "../../emulator/imports";
import { runtimeForEmulator } from "../harness/emulator-config";
import type { ProviderRuntime } from "../../provider/runtime/runtime";
import type { ResourceHandlers } from "../../provider/resources/shared/handlers";
import { asInputs, checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { createImport } from "../../provider/resources/imported-snapshot/lifecycle";
import { RecordingProgress } from "../../provider/runtime/progress";
import { importedSnapshotHandlers, lifecycleContext } from "../../provider/resources/imported-snapshot/handlers";
import { DEFAULTS, formatReport, runSoak, soakPassed, userId } from "../../scripts/soak/run";
import { CAN_LIST, inputs, OTHER_USER, STORAGE_ACCOUNT_ID, USER } from "../fixtures";

/** Where Graph lists no imports, a lost answer to the import ends in this error (the import cannot be found). */
function refusedNamingTheFix(err: Error): boolean {
    assert.match(err.message, new RegExp(`User ${USER} already has an imported snapshot`));
    assert.match(err.message, /documents no call that lists a user's imports/);
    assert.match(err.message, /adoptSnapshotId/);
    return true;
}

describe("soak: CloudPcImportedSnapshot under random Graph faults (short configuration)", function () {
    this.timeout(180_000);

    it("loses, duplicates and orphans nothing while >= 10% of Graph requests are faulted", async () => {
        const report = await runSoak({
            ...DEFAULTS,
            users: 40,
            rounds: 6,
            faultRate: 0.2,
            seed: 11,
            objectionRate: 0.4,
            corruptReplacementRate: 0.3,
        });
        console.log(formatReport(report).replace(/^/gm, "      "));
        assert.ok(report.operations.total >= 250, `${report.operations.total} operations`);
        assert.ok(
            report.faults.injected / report.graphRequests >= 0.1,
            `faults on ${report.faults.injected} of ${report.graphRequests} Graph requests`,
        );
        assert.ok(
            Object.keys(report.faults.byKind).length >= 8,
            `kinds injected: ${JSON.stringify(report.faults.byKind)}`,
        );
        assert.equal(report.lost, 0, "lost");
        assert.equal(report.duplicated, 0, "duplicated");
        assert.equal(report.orphaned, 0, "orphaned");
        // Only where Graph lists no imports can a lost answer leave an import nothing can find; the user is told.
        if (CAN_LIST) assert.equal(report.orphanedReported, 0, "orphaned although Graph lists imports");
        assert.equal(report.hung, 0, "hung");
        // Replacements to a bad source (Azurite holds the blobs; the preflight reads them): all refused before the
        // purge, nobody left without an import.
        assert.ok(report.objections.attempted >= 4, `${report.objections.attempted} replacements to a bad source`);
        assert.equal(report.objections.refused, report.objections.attempted, JSON.stringify(report.objections));
        assert.equal(report.nothingAfterObjection, 0, "users left with nothing after a definite objection");
        // A file Windows 365 rejects for its content passes every preflight: each one purged the user's import.
        assert.ok(
            report.nothingPastPurge.injected >= 2,
            `${report.nothingPastPurge.injected} content failures injected past a purge`,
        );
        // Each one Graph made failed for its content and left the user with nothing; one whose import call failed
        // under the faults first was never seen by Windows 365, and its user is among those left by a failed call.
        const { content, other, injected, notMade } = report.nothingPastPurge;
        assert.equal(content, injected - notMade, JSON.stringify(report.nothingPastPurge));
        assert.ok(other >= notMade, JSON.stringify(report.nothingPastPurge));
        assert.ok(soakPassed(report));
    });

    it("counts a user left with nothing after a definite objection (the old import planted away)", async () => {
        let planted: string | undefined;
        const report = await runSoak({
            ...DEFAULTS,
            users: 12,
            rounds: 3,
            faultRate: 0,
            seed: 5,
            objectionRate: 1,
            corruptReplacementRate: 0,
            beforeVerify: ({ emulator, objectionSteps }) => {
                const step = objectionSteps[0];
                if (planted || !step) return;
                planted = step.oldId;
                emulator.imports.remove(step.oldId); // as if the replacement had purged it
            },
        });
        assert.ok(planted, "a replacement to a bad source happened");
        assert.equal(report.objections.refused, report.objections.attempted);
        assert.equal(report.nothingAfterObjection, 1);
        assert.deepEqual(report.nothingPastPurge, { content: 0, other: 0, injected: 0, notMade: 0 });
        assert.equal(soakPassed(report), false);
    });

    it("counts planted damage: an import missing, a second import for a user, an import Pulumi does not know", async () => {
        let planted = false;
        const report = await runSoak({
            ...DEFAULTS,
            users: 12,
            rounds: 1,
            faultRate: 0,
            seed: 5,
            beforeVerify: ({ round, emulator, state }) => {
                if (round !== 1 || planted) return;
                planted = true;
                const [[a, resA], [b]] = [...state.entries()];
                emulator.imports.remove(resA.id); // lost: its create was reported done
                state.delete(b); // orphaned: Graph has it, the provider's results do not
                (emulator.imports as InMemoryImportStore).create({
                    request: parseImportRequest({
                        assignedUserId: userId(a),
                        sourceFiles: [
                            {
                                storageBlobInfo: {
                                    storageAccountId: STORAGE_ACCOUNT_ID,
                                    containerName: "vhds",
                                    fileName: "x.vhd",
                                },
                            },
                        ],
                    }),
                    userPrincipalName: userId(a),
                    policyName: null,
                    hasProvisioningPolicy: true,
                    durationMs: 0,
                }); // orphaned too
                (emulator.imports as InMemoryImportStore).create({
                    request: parseImportRequest({
                        assignedUserId: userId(b),
                        sourceFiles: [
                            {
                                storageBlobInfo: {
                                    storageAccountId: STORAGE_ACCOUNT_ID,
                                    containerName: "vhds",
                                    fileName: "y.vhd",
                                },
                            },
                        ],
                    }),
                    userPrincipalName: userId(b),
                    policyName: null,
                    hasProvisioningPolicy: true,
                    durationMs: 0,
                }); // orphaned, and user b now holds two imports: duplicated
            },
        });
        assert.ok(planted, "there were resources to damage");
        assert.equal(report.lost, 1);
        assert.equal(report.duplicated, 1, "user b holds two imports");
        assert.equal(report.orphaned, 3, "resB's import and the two planted ones");
        assert.equal(soakPassed(report), false);
    });
});

describe("lifecycle: unknown import outcomes (regressions found by the soak)", function () {
    this.timeout(60_000);
    let emulator: Emulator;
    const progress = new RecordingProgress();
    let runtime: ProviderRuntime;
    let handlers: ResourceHandlers;

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 200 });
        runtime = runtimeForEmulator(emulator, { progress });
        handlers = importedSnapshotHandlers(runtime);
    });
    after(async () => {
        await runtime?.close();
        await emulator?.close();
    });
    beforeEach(() => {
        emulator.imports.clear();
        emulator.faults.clear();
        progress.lines.length = 0;
    });

    it("a look for the import that fails transiently is retried instead of failing the create", async () => {
        emulator.faults.add({ route: "POST importSnapshot", drop: "after" });
        // The look's GET gets 401 twice (a token that expires again while it is re-sent): the client gives up, the look is retried.
        emulator.faults.add({ route: "listSnapshotImportResults", expireToken: true, times: 2 });
        if (!CAN_LIST) return void (await assert.rejects(handlers.create(inputs()), refusedNamingTheFix));
        const { id } = await handlers.create(inputs());
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [id],
            "the import Graph made is the one recorded",
        );
        // Retried by the client (reads are retried on 500) or, past its retries, by the look itself.
        assert.ok(
            progress.lines.some((l) =>
                /Looking for user .* import failed|listSnapshotImportResults: HTTP 500, retry/.test(l),
            ),
            progress.lines.join("\n"),
        );
    });

    it("a second send whose answer is lost too is followed by another look, and adopted", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 502 }); // not acted
        emulator.faults.add({ route: "POST importSnapshot", body: "truncated" }); // acted, answer unusable
        if (!CAN_LIST) return void (await assert.rejects(handlers.create(inputs()), refusedNamingTheFix));
        const { id } = await handlers.create(inputs());
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [id],
        );
    });

    it("does not take one list pass that missed the import as proof there is none (offset paging under purges)", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 504, times: 2 }); // not acted
        emulator.faults.add({ route: "POST importSnapshot", drop: "after" }); // the third send acts
        if (!CAN_LIST) {
            // Three sends, none answered: without a list the provider cannot tell whether one was carried out.
            await assert.rejects(
                handlers.create(inputs()),
                /3 attempts got no usable answer, and Graph may have carried out one of them: Graph documents no call that lists a user's imports.*adoptSnapshotId/s,
            );
            return;
        }
        const ctx = lifecycleContext(runtime);
        const real = ctx.imports;
        let hidden = 0;
        // The first two list passes that hold the user's import skip it, as a pass does when a record on an
        // earlier page is purged between its page requests.
        const imports: typeof real = {
            api: real.api,
            get: (id) => real.get(id),
            wait: (id, o) => real.wait(id, o),
            purge: (id) => real.purge(id),
            noteWrite: () => real.noteWrite(),
            list: async () => {
                const all = await real.list();
                const visible = all.filter((r) => r.assignedUserPrincipalName?.toLowerCase() !== defaultUpn(USER));
                if (visible.length < all.length && hidden < 2) {
                    hidden++;
                    return visible;
                }
                return all;
            },
        };
        const { id } = await createImport({ ...ctx, imports }, asInputs(checkImportedSnapshot(inputs()).inputs));
        assert.equal(hidden, 2);
        assert.deepEqual(
            emulator.imports.byUser(USER).map((r) => r.snapshotId),
            [id],
        );
    });

    it("refresh does not drop an import that one list pass missed (a record purged on an earlier page meanwhile)", async () => {
        emulator.setOptions({ pageSize: 1 });
        try {
            const users = [USER, OTHER_USER, "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f"];
            const ids: string[] = [];
            for (const u of users) ids.push((await handlers.create(inputs({ assignedUserId: u }))).id);
            // The pass's first page is held back 300 ms; meanwhile the first record is purged elsewhere, so the
            // second one moves onto page 1, which was already read: the pass never sees it.
            emulator.faults.add({ route: "listSnapshotImportResults", delayMs: 300 });
            const read = handlers.read(ids[1]!, {});
            await new Promise((r) => setTimeout(r, 100));
            emulator.imports.remove(ids[0]!);
            assert.equal((await read).id, ids[1], "still there: refresh must keep it");
        } finally {
            emulator.setOptions({ pageSize: 100 });
        }
    });

    it("gives up only when Graph is known to hold no import for the user", async () => {
        emulator.faults.add({ route: "POST importSnapshot", status: 504, times: 3 });
        const said = CAN_LIST
            ? /3 attempts got no usable answer, and Graph holds no import for this user/
            : /3 attempts got no usable answer, and Graph may have carried out one of them/;
        await assert.rejects(handlers.create(inputs()), said);
        assert.equal(emulator.imports.byUser(USER).length, 0);
    });
});
