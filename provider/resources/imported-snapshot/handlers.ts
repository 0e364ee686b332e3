// The CloudPcImportedSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts).
// This file's path is part of the state contract: providers serialized by 0.1.0 require
// ./node_modules/@cloudpc/pulumi-snapshots/dist/provider/resources/imported-snapshot/handlers (or, from this
// repository, ./provider/resources/imported-snapshot/handlers) to read and delete. Do not move it before 1.0.
import type * as pulumi from "@pulumi/pulumi";
import { configureFrom, currentProgress, currentSettings, lifecycleContext, pendingImportsJournal } from "../../runtime/context";
import { watchEngineOfThisProcess } from "../../runtime/engine-watch";
import { gateReplacement, ReplacementWatch } from "../../preflight/replacement-gate";
import { PROVIDER_KEY, providerTextChanged, withStateRewrite } from "../../runtime/stored-provider";
import type { CloudPcSnapshotImportActionResult } from "../../snapshots/types";
import { containsUnknown } from "../../validation/unknown";
import { asInputs, checkImportedSnapshot } from "./check";
import { diffImportedSnapshot, importedSnapshotStateOutdated } from "./diff";
import { createImport, deleteImport, readImport, resumeImport } from "./lifecycle";
import { recordFields, toOutputs } from "./state";

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configureFrom(req.config);
    watchEngineOfThisProcess(); // exit soon after the engine is gone, instead of working on for nobody
}

/** New inputs by user, from check(): a delete of that user's import that neither diff nor create settled is a replacement. */
const replacements = new ReplacementWatch();

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const checked = checkImportedSnapshot(news);
    if (checked.failures.length === 0 && !containsUnknown(checked.inputs)) replacements.note(asInputs(checked.inputs));
    return checked;
}

export async function diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    settleShown(id, olds.assignedUserId);
    const rewrite = providerTextChanged(olds, news) || importedSnapshotStateOutdated(olds);
    const result = diffImportedSnapshot(olds, news);
    replacements.forget(olds.assignedUserId); // this replacement, if any, is gated here
    // Purge first, import second: check the new source while the user's import is still there (preflight/).
    if (result.deleteBeforeReplace && olds.importStatus !== "failed" && !containsUnknown(news)) {
        const checked = checkImportedSnapshot(news);
        const inputs = checked.failures.length === 0 ? asInputs(checked.inputs) : undefined;
        if (inputs && !inputs.adoptSnapshotId) await gateReplacement(gateContext(), id, inputs);
    }
    return withStateRewrite(result, rewrite);
}

function gateContext() {
    return { settings: currentSettings(), progress: currentProgress() };
}

/**
 * The engine passed this id from a stack's state: the import is recorded, so its pending-import note (kept since
 * create, in case the engine never recorded it) can go. Best effort: never fails the operation.
 */
function settleShown(id: string, userId: unknown): void {
    if (typeof id !== "string" || id === "" || typeof userId !== "string" || userId === "") return;
    try {
        pendingImportsJournal().settle(userId, id);
    } catch {
        // the notes are a convenience; a broken one must not stop diff, read, update or delete
    }
}

/** check() has run; re-check so a direct caller can never send invalid input to Graph. */
function validInputs(inputs: Record<string, unknown>) {
    const checked = checkImportedSnapshot(inputs);
    if (checked.failures.length > 0) throw new Error(checked.failures.map((f) => f.reason).join("\n"));
    if (containsUnknown(checked.inputs)) throw new Error("CloudPcImportedSnapshot: inputs are still unknown at apply time.");
    return asInputs(checked.inputs);
}

/** The engine needs __provider on a "created but failed" record to manage it later. */
function providerOf(inputs: Record<string, unknown>): Record<string, unknown> {
    return inputs[PROVIDER_KEY] !== undefined ? { [PROVIDER_KEY]: inputs[PROVIDER_KEY] } : {};
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const valid = validInputs(inputs);
    replacements.forget(valid.assignedUserId);
    const { id, outs } = await createImport(lifecycleContext(), valid, providerOf(inputs));
    return { id, outs };
}

/**
 * Never a change of what is imported (diff replaces for those). Either the continuation of a resource recorded as
 * created-but-failed (an import not known to have succeeded: Graph is asked), or a rewrite of what is stored (a new
 * provider text, 0.1.0's outputs: no Graph call at all). Without it the dynamic provider would store no outputs.
 */
export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
    settleShown(id, olds.assignedUserId ?? news.assignedUserId);
    const inputs = validInputs(news);
    const status = olds.importStatus;
    const settled = status === "succeeded" || (!inputs.waitForCompletion && status !== "failed");
    if (!settled) return { outs: await resumeImport(lifecycleContext(), id, inputs, providerOf(news)) };
    // The recorded import as it was (the outputs carry its fields under Graph's names), with the new inputs.
    return { outs: { ...toOutputs(inputs, id, olds as CloudPcSnapshotImportActionResult), ...providerOf(news) } };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    settleShown(id, props?.assignedUserId);
    const lookup = await readImport(lifecycleContext(), id);
    if (lookup.kind === "gone") return {}; // proven gone (import-results.ts): refresh drops it from state
    if (lookup.kind === "unknown") return { id, props }; // no proof either way: keep it as it is
    return { id, props: { ...props, snapshotId: id, ...recordFields(lookup.record) } };
}

export async function remove(id: string, props: Record<string, unknown> = {}): Promise<void> {
    settleShown(id, props.assignedUserId);
    // A replacement the engine forced without asking diff (--replace, a tainted resource...): check() saw the new
    // inputs; check them again right before the purge.
    const next = replacements.replacementOf(props.assignedUserId);
    if (next && props.importStatus !== "failed") await gateReplacement(gateContext(), id, next);
    await deleteImport(lifecycleContext(), id);
}
