// The CloudPcImportedSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts).
import type * as pulumi from "@pulumi/pulumi";
import { configureFrom, lifecycleContext, pendingImportsJournal } from "../../runtime/context";
import { watchEngineOfThisProcess } from "../../runtime/engine-watch";
import { containsUnknown } from "../../validation/unknown";
import { asInputs, checkImportedSnapshot } from "./check";
import { diffImportedSnapshot } from "./diff";
import { createImport, deleteImport, readImport, resumeImport } from "./lifecycle";
import { recordFields } from "./state";

const PROVIDER_KEY = "__provider";

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configureFrom(req.config);
    watchEngineOfThisProcess(); // exit soon after the engine is gone, instead of working on for nobody
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkImportedSnapshot(news);
}

export async function diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    settleShown(id, olds.assignedUserId);
    return diffImportedSnapshot(olds, news);
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
    const { id, outs } = await createImport(lifecycleContext(), validInputs(inputs), providerOf(inputs));
    return { id, outs };
}

/**
 * Never a change of what is imported (diff replaces for those): the engine calls update only to continue a
 * resource recorded as created-but-failed. Without it the dynamic provider would store no outputs at all.
 */
export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
    settleShown(id, olds.assignedUserId ?? news.assignedUserId);
    return { outs: await resumeImport(lifecycleContext(), id, validInputs(news), providerOf(news)) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    settleShown(id, props?.assignedUserId);
    const record = await readImport(lifecycleContext(), id);
    if (!record) return {}; // gone: refresh drops it from state
    return { id, props: { ...props, snapshotId: id, ...recordFields(record) } };
}

export async function remove(id: string, props?: Record<string, unknown>): Promise<void> {
    settleShown(id, props?.assignedUserId);
    await deleteImport(lifecycleContext(), id);
}
