// The CloudPcSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts): per runtime
// (cloudPcSnapshotHandlers), and as the module functions the serialized provider calls, which go to the runtime
// that configure() chose. This file's path is part of the state contract: providers serialized by 0.1.0 require
// ./node_modules/@cloudpc/pulumi-snapshots/dist/provider/resources/cloud-pc-snapshot/handlers (or, from this
// repository, ./provider/resources/cloud-pc-snapshot/handlers) to read and delete. Do not move it before 1.0.
import type { ProviderRuntime, RuntimePart } from "../../runtime/runtime";
import { restorePointProperties } from "../../snapshots/restore-points";
import type { CloudPcSnapshot } from "../../snapshots/types";
import { urnIn } from "../../validation/hidden-input";
import {
    handlersOfConfiguredRuntime,
    carriedOf,
    redacting,
    validInputs,
    withStoredStateCheck,
    type ResourceHandlers,
} from "../shared/handlers";
import { asInputs, checkCloudPcSnapshot } from "./check";
import { CREATE_QUEUE } from "./create-queue";
import { diffCloudPcSnapshot } from "./diff";
import {
    createCloudPcSnapshot,
    forgetCloudPcSnapshot,
    readCloudPcSnapshot,
    resumeCloudPcSnapshot,
    type SnapshotContext,
} from "./lifecycle";
import { toOutputs } from "./state";

/**
 * The runtime's API, clock and progress (on the row of the resource `urn` names, when given); an unknown
 * createSnapshot outcome is reconciled for 15 poll intervals.
 */
export function snapshotContext(rt: ProviderRuntime, urn?: string): SnapshotContext {
    return {
        api: rt.api,
        progress: rt.progressFor(urn),
        poll: rt.poll,
        reconcileMs: rt.poll.initialMs * 15,
        queue: rt.part(CREATE_QUEUE),
        clock: rt.clock,
    };
}

const valid = (inputs: Record<string, unknown>) =>
    validInputs("CloudPcSnapshot", inputs, checkCloudPcSnapshot, asInputs);

function forRuntime(rt: ProviderRuntime): ResourceHandlers {
    return {
        check: async (_olds, news) => checkCloudPcSnapshot(news),
        diff: async (_id, olds, news) => withStoredStateCheck(diffCloudPcSnapshot(olds, news), olds, news),
        create: async (inputs) => {
            const { id, outs } = await createCloudPcSnapshot(
                snapshotContext(rt, urnIn(inputs)),
                valid(inputs),
                carriedOf(inputs),
            );
            return { id, outs: { ...outs, ...carriedOf(inputs) } };
        },
        // Never a change of what is snapshotted (diff replaces for those): the continuation of a created-but-failed
        // one (not yet ready: Graph is asked), or a rewrite of what is stored, such as a new provider text (no Graph call).
        update: async (id, olds, news) => {
            const inputs = valid(news);
            if (olds.status !== "ready" && inputs.waitForCompletion) {
                const outs = await resumeCloudPcSnapshot(snapshotContext(rt, urnIn(news)), id, inputs, carriedOf(news));
                return { outs: { ...outs, ...carriedOf(news) } };
            }
            // The restore point as recorded (the outputs carry its properties under Graph's names), with the new inputs.
            return {
                outs: { ...toOutputs(inputs, id, { ...olds, id } as unknown as CloudPcSnapshot), ...carriedOf(news) },
            };
        },
        read: async (id, props) => {
            const cloudPcId =
                typeof props.cloudPcId === "string" && props.cloudPcId !== "" ? props.cloudPcId : undefined;
            const snapshot = await readCloudPcSnapshot(snapshotContext(rt, urnIn(props)), id, cloudPcId);
            if (!snapshot) return {}; // gone (expired, or its Cloud PC deprovisioned): refresh drops it from state
            const properties = restorePointProperties(snapshot);
            return {
                id,
                props: { ...props, cloudPcId: cloudPcId ?? snapshot.cloudPcId ?? null, snapshotId: id, ...properties },
            };
        },
        remove: async (id, props = {}) => forgetCloudPcSnapshot(snapshotContext(rt, urnIn(props)), id, props),
    };
}

const CLOUD_PC_SNAPSHOT_HANDLERS: RuntimePart<ResourceHandlers> = {
    name: "CloudPcSnapshot handlers",
    create: (rt) => redacting(rt, forRuntime(rt)),
};

/** The CloudPcSnapshot handlers of `runtime` (one set per runtime). */
export function cloudPcSnapshotHandlers(runtime: ProviderRuntime): ResourceHandlers {
    return runtime.part(CLOUD_PC_SNAPSHOT_HANDLERS);
}

export const { configure, check, diff, create, update, read, remove } =
    handlersOfConfiguredRuntime(CLOUD_PC_SNAPSHOT_HANDLERS);
