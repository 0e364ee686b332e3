// The CloudPcSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts).
// This file's path is part of the state contract: providers serialized by 0.1.0 require
// ./node_modules/@cloudpc/pulumi-snapshots/dist/provider/resources/cloud-pc-snapshot/handlers (or, from this
// repository, ./provider/resources/cloud-pc-snapshot/handlers) to read and delete. Do not move it before 1.0.
import type * as pulumi from "@pulumi/pulumi";
import { configureFrom, currentProgress, graphClient, pollSettings } from "../../runtime/context";
import { PROVIDER_KEY, providerTextChanged, withStateRewrite } from "../../runtime/stored-provider";
import { watchEngineOfThisProcess } from "../../runtime/engine-watch";
import { restorePointProperties } from "../../snapshots/restore-points";
import type { CloudPcSnapshot } from "../../snapshots/types";
import { containsUnknown } from "../../validation/unknown";
import { asInputs, checkCloudPcSnapshot } from "./check";
import { diffCloudPcSnapshot } from "./diff";
import {
    createCloudPcSnapshot, forgetCloudPcSnapshot, readCloudPcSnapshot, resumeCloudPcSnapshot, type SnapshotContext,
} from "./lifecycle";
import { toOutputs } from "./state";

/** The process's shared client and progress; an unknown createSnapshot outcome is reconciled for 15 poll intervals. */
export function snapshotContext(): SnapshotContext {
    const poll = pollSettings();
    return { client: graphClient(), progress: currentProgress(), poll, reconcileMs: poll.initialMs * 15 };
}

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configureFrom(req.config);
    watchEngineOfThisProcess(); // exit soon after the engine is gone, instead of working on for nobody
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkCloudPcSnapshot(news);
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    return withStateRewrite(diffCloudPcSnapshot(olds, news), providerTextChanged(olds, news));
}

/** check() has run; re-check so a direct caller can never send invalid input to Graph. */
function validInputs(inputs: Record<string, unknown>) {
    const checked = checkCloudPcSnapshot(inputs);
    if (checked.failures.length > 0) throw new Error(checked.failures.map((f) => f.reason).join("\n"));
    if (containsUnknown(checked.inputs)) throw new Error("CloudPcSnapshot: inputs are still unknown at apply time.");
    return asInputs(checked.inputs);
}

/** The engine needs __provider on a "created but failed" record to manage it later. */
function providerOf(inputs: Record<string, unknown>): Record<string, unknown> {
    return inputs[PROVIDER_KEY] !== undefined ? { [PROVIDER_KEY]: inputs[PROVIDER_KEY] } : {};
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const { id, outs } = await createCloudPcSnapshot(snapshotContext(), validInputs(inputs), providerOf(inputs));
    return { id, outs };
}

/**
 * Never a change of what is snapshotted (diff replaces for those): the continuation of a created-but-failed one
 * (not yet ready: Graph is asked), or a rewrite of what is stored, such as a new provider text (no Graph call).
 */
export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = validInputs(news);
    if (olds.status !== "ready" && inputs.waitForCompletion) {
        return { outs: await resumeCloudPcSnapshot(snapshotContext(), id, inputs, providerOf(news)) };
    }
    // The restore point as recorded (the outputs carry its properties under Graph's names), with the new inputs.
    return { outs: { ...toOutputs(inputs, id, { ...olds, id } as unknown as CloudPcSnapshot), ...providerOf(news) } };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const cloudPcId = typeof props.cloudPcId === "string" && props.cloudPcId !== "" ? props.cloudPcId : undefined;
    const snapshot = await readCloudPcSnapshot(snapshotContext(), id, cloudPcId);
    if (!snapshot) return {}; // gone (expired, or its Cloud PC deprovisioned): refresh drops it from state
    return { id, props: { ...props, cloudPcId: cloudPcId ?? snapshot.cloudPcId ?? null, snapshotId: id, ...restorePointProperties(snapshot) } };
}

export async function remove(id: string, props: Record<string, unknown>): Promise<void> {
    forgetCloudPcSnapshot(snapshotContext(), id, props);
}
