// CloudPcSnapshot: a restore point of one Cloud PC, taken on demand (Graph beta cloudPC: createSnapshot).
// Any change replaces it (a restore point cannot be changed). Graph has no delete: destroying or replacing it only
// drops it from the Pulumi state, with a warning; it stays in Windows 365 until it expires.
import * as pulumi from "@pulumi/pulumi";
import { HIDDEN_INPUT } from "../../validation/hidden-input";
import { prepareArgs } from "../program-args";
import { CloudPcSnapshotProvider } from "./provider";
import { CLOUD_PC_SNAPSHOT_TYPE, TYPE_MODULE, withAliasFrom010 } from "../type-tokens";

export interface CloudPcSnapshotArgs {
    /** Id (GUID) of the Cloud PC to snapshot. */
    cloudPcId: pulumi.Input<string>;
    /**
     * ARM id of a storage account that also receives a copy of the restore point:
     * /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}.
     * getStorageAccounts lists the ones Windows 365 can write to.
     */
    storageAccountId?: pulumi.Input<string>;
    /** Blob access tier of that copy: `hot` (default), `cool`, `cold` or `archive`. Needs storageAccountId. */
    accessTier?: pulumi.Input<"hot" | "cool" | "cold" | "archive">;
    /** Wait until the restore point is `ready` (default true). Changing it never takes a new snapshot. */
    waitForCompletion?: pulumi.Input<boolean>;
    /** How long to wait, in minutes (default 60). Changing it never takes a new snapshot. */
    timeoutMinutes?: pulumi.Input<number>;
    /**
     * The stack config namespace whose settings manage this snapshot, for a stack that manages several tenants:
     * `"tenantB"` signs in with `tenantB:*` only (other settings not set there are the default's). The name only,
     * never a secret. Absent: `cloudpc:*`, then the environment. Changing it replaces the snapshot.
     */
    settings?: pulumi.Input<string>;
}

// One provider object for every resource: the SDK serializes it once per program, not once per resource.
const PROVIDER = new CloudPcSnapshotProvider();

/** The outputs that are not inputs: declared as placeholders, and refused (by check) when the program gives them. */
const OUTPUT_ONLY = [
    "snapshotId",
    "status",
    "snapshotType",
    "healthCheckStatus",
    "createdDateTime",
    "expirationDateTime",
    "lastRestoredDateTime",
];

export class CloudPcSnapshot extends pulumi.dynamic.Resource {
    /** The restore point's id in Graph (also the resource id), e.g. CPC_{guid}_{guid}. */
    declare public readonly snapshotId: pulumi.Output<string>;
    declare public readonly cloudPcId: pulumi.Output<string>;
    declare public readonly storageAccountId: pulumi.Output<string | null>;
    declare public readonly accessTier: pulumi.Output<string | null>;
    declare public readonly waitForCompletion: pulumi.Output<boolean>;
    declare public readonly timeoutMinutes: pulumi.Output<number>;
    /** The settings namespace of the tenant holding the Cloud PC (null: the default). */
    declare public readonly settings: pulumi.Output<string | null>;
    /** `ready` (or a newer value Graph adds). */
    declare public readonly status: pulumi.Output<string | null>;
    /** `manual` for these; `automatic` and `retention` are the service's own. */
    declare public readonly snapshotType: pulumi.Output<string | null>;
    /** `unknown`, `healthy` or `unhealthy`. */
    declare public readonly healthCheckStatus: pulumi.Output<string | null>;
    declare public readonly createdDateTime: pulumi.Output<string | null>;
    /** When Windows 365 deletes it; the only way it goes away (Graph has no delete). */
    declare public readonly expirationDateTime: pulumi.Output<string | null>;
    declare public readonly lastRestoredDateTime: pulumi.Output<string | null>;

    constructor(name: string, args: CloudPcSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
        // Whatever the program passed ends in check(), never in a throw here (check names what is wrong).
        const prepared = prepareArgs(name, args, opts, OUTPUT_ONLY);
        super(
            PROVIDER,
            name,
            { ...prepared.args, [HIDDEN_INPUT]: prepared.hidden, ...prepared.outputs },
            withAliasFrom010(opts),
            TYPE_MODULE,
            CLOUD_PC_SNAPSHOT_TYPE,
        );
        prepared.bind(this);
    }
}
