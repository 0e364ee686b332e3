// The CloudPcImportedSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts).
import type * as pulumi from "@pulumi/pulumi";
import { configureFrom, lifecycleContext } from "../../runtime/context";
import { containsUnknown } from "../../validation/unknown";
import { asInputs, checkImportedSnapshot } from "./check";
import { diffImportedSnapshot } from "./diff";
import { createImport, deleteImport, readImport } from "./lifecycle";
import { recordFields } from "./state";

const PROVIDER_KEY = "__provider";

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configureFrom(req.config);
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkImportedSnapshot(news);
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    return diffImportedSnapshot(olds, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    // check() has run; re-check so a direct caller can never send invalid input to Graph.
    const checked = checkImportedSnapshot(inputs);
    if (checked.failures.length > 0) throw new Error(checked.failures.map((f) => f.reason).join("\n"));
    if (containsUnknown(checked.inputs)) throw new Error("CloudPcImportedSnapshot: inputs are still unknown at create time.");
    // The engine needs __provider on a "created but failed" record to manage it later.
    const extra = inputs[PROVIDER_KEY] !== undefined ? { [PROVIDER_KEY]: inputs[PROVIDER_KEY] } : {};
    const { id, outs } = await createImport(lifecycleContext(), asInputs(checked.inputs), extra);
    return { id, outs };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const record = await readImport(lifecycleContext(), id);
    if (!record) return {}; // gone: refresh drops it from state
    return { id, props: { ...props, snapshotId: id, ...recordFields(record) } };
}

export async function remove(id: string): Promise<void> {
    await deleteImport(lifecycleContext(), id);
}
