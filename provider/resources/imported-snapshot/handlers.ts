// The CloudPcImportedSnapshotProvider's methods, loaded lazily in the provider process (see provider.ts): per
// runtime (importedSnapshotHandlers), and as the module functions the serialized provider calls, which go to the
// runtime that configure() chose. This file's path is part of the state contract: providers serialized by 0.1.0
// require ./node_modules/@cloudpc/pulumi-snapshots/dist/provider/resources/imported-snapshot/handlers (or, from
// this repository, ./provider/resources/imported-snapshot/handlers) to read and delete. Do not move it before 1.0.
import { gateReplacement, ReplacementWatch } from "../../preflight/replacement-gate";
import type { ProviderRuntime, RuntimePart } from "../../runtime/runtime";
import type { CloudPcSnapshotImportActionResult } from "../../snapshots/types";
import { urnIn } from "../../validation/hidden-input";
import { containsUnknown } from "../../validation/unknown";
import {
    handlersOfConfiguredRuntime,
    carriedOf,
    redacting,
    validInputs,
    withStoredStateCheck,
    type ResourceHandlers,
} from "../shared/handlers";
import { asInputs, checkImportedSnapshot } from "./check";
import { diffImportedSnapshot, importedSnapshotStateOutdated } from "./diff";
import { createImport, deleteImport, readImport, resumeImport, type LifecycleContext } from "./lifecycle";
import { recordFields, toOutputs } from "./state";

/** What the lifecycle needs of the runtime; progress on the row of the resource `urn` names, when given. */
export function lifecycleContext(rt: ProviderRuntime, urn?: string): LifecycleContext {
    return {
        client: rt.graph,
        imports: rt.imports,
        progress: rt.progressFor(urn),
        poll: rt.poll,
        graphEndpoint: rt.settings.graphEndpoint,
        pendingImports: rt.pendingImports,
        clock: rt.clock,
    };
}

const valid = (inputs: Record<string, unknown>) =>
    validInputs("CloudPcImportedSnapshot", inputs, checkImportedSnapshot, asInputs);

function forRuntime(rt: ProviderRuntime): ResourceHandlers {
    // New inputs by user, from check(): a delete of that user's import that neither diff nor create settled is a
    // replacement the engine forced (--replace, a tainted resource...).
    const replacements = new ReplacementWatch();
    const gate = (urn: string | undefined) => ({
        settings: rt.settings,
        progress: rt.progressFor(urn),
        now: () => rt.clock.now(),
        credential: () => rt.preflightCredential(),
        httpClient: rt.network.storageHttpClient,
    });

    /**
     * The engine passed this id from a stack's state: the import is recorded, so its pending-import note (kept since
     * create, in case the engine never recorded it) can go. Best effort: never fails the operation.
     */
    const settleShown = (id: string, userId: unknown): void => {
        if (typeof id !== "string" || id === "" || typeof userId !== "string" || userId === "") return;
        try {
            rt.pendingImports.settle(userId, id);
        } catch {
            // the notes are a convenience; a broken one must not stop diff, read, update or delete
        }
    };

    return {
        check: async (_olds, news) => {
            const checked = checkImportedSnapshot(news);
            if (checked.failures.length === 0 && !containsUnknown(checked.inputs))
                replacements.note(asInputs(checked.inputs));
            return checked;
        },
        diff: async (id, olds, news) => {
            settleShown(id, olds.assignedUserId);
            const result = diffImportedSnapshot(olds, news);
            replacements.forget(olds.assignedUserId); // this replacement, if any, is gated here
            // Purge first, import second: check the new source while the user's import is still there (preflight/).
            if (result.deleteBeforeReplace && olds.importStatus !== "failed" && !containsUnknown(news)) {
                const checked = checkImportedSnapshot(news);
                const inputs = checked.failures.length === 0 ? asInputs(checked.inputs) : undefined;
                if (inputs && !inputs.adoptSnapshotId) await gateReplacement(gate(urnIn(news)), id, inputs);
            }
            return withStoredStateCheck(result, olds, news, importedSnapshotStateOutdated(olds));
        },
        create: async (inputs) => {
            const checked = valid(inputs);
            replacements.forget(checked.assignedUserId);
            const { id, outs } = await createImport(lifecycleContext(rt, urnIn(inputs)), checked, carriedOf(inputs));
            return { id, outs: { ...outs, ...carriedOf(inputs) } };
        },
        // Never a change of what is imported (diff replaces for those). Either the continuation of a resource recorded
        // as created-but-failed (an import not known to have succeeded: Graph is asked), or a rewrite of what is stored
        // (a new provider text, 0.1.0's outputs: no Graph call at all). Without it the dynamic provider would store no
        // outputs.
        update: async (id, olds, news) => {
            settleShown(id, olds.assignedUserId ?? news.assignedUserId);
            const inputs = valid(news);
            const status = olds.importStatus;
            const settled = status === "succeeded" || (!inputs.waitForCompletion && status !== "failed");
            if (!settled) {
                const outs = await resumeImport(lifecycleContext(rt, urnIn(news)), id, inputs, carriedOf(news));
                return { outs: { ...outs, ...carriedOf(news) } };
            }
            // The recorded import as it was (the outputs carry its fields under Graph's names), with the new inputs.
            return {
                outs: { ...toOutputs(inputs, id, olds as CloudPcSnapshotImportActionResult), ...carriedOf(news) },
            };
        },
        read: async (id, props) => {
            settleShown(id, props?.assignedUserId);
            const lookup = await readImport(lifecycleContext(rt, urnIn(props)), id);
            if (lookup.kind === "gone") return {}; // proven gone (import-results.ts): refresh drops it from state
            if (lookup.kind === "unknown") return { id, props }; // no proof either way: keep it as it is
            return { id, props: { ...props, snapshotId: id, ...recordFields(lookup.record) } };
        },
        remove: async (id, props = {}) => {
            settleShown(id, props.assignedUserId);
            // A replacement the engine forced without asking diff: check() saw the new inputs; check them again
            // right before the purge.
            const next = replacements.replacementOf(props.assignedUserId);
            if (next && props.importStatus !== "failed") await gateReplacement(gate(urnIn(props)), id, next);
            await deleteImport(lifecycleContext(rt, urnIn(props)), id);
        },
    };
}

const IMPORTED_SNAPSHOT_HANDLERS: RuntimePart<ResourceHandlers> = {
    name: "CloudPcImportedSnapshot handlers",
    create: (rt) => redacting(rt, forRuntime(rt)),
};

/** The CloudPcImportedSnapshot handlers of `runtime` (one set per runtime, sharing its replacement watch). */
export function importedSnapshotHandlers(runtime: ProviderRuntime): ResourceHandlers {
    return runtime.part(IMPORTED_SNAPSHOT_HANDLERS);
}

export const { configure, check, diff, create, update, read, remove } =
    handlersOfConfiguredRuntime(IMPORTED_SNAPSHOT_HANDLERS);
