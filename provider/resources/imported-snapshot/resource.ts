// CloudPcImportedSnapshot: a VHD imported as a Windows 365 snapshot for one user (Graph beta importSnapshot).
// Any change to what is imported replaces it; with the same user the old import is purged first, because Graph
// allows one imported snapshot per user.
import * as pulumi from "@pulumi/pulumi";
import { HIDDEN_INPUT } from "../../validation/hidden-input";
import { prepareArgs } from "../program-args";
import { CloudPcImportedSnapshotProvider } from "./provider";
import { IMPORTED_SNAPSHOT_TYPE, TYPE_MODULE, withAliasFrom010 } from "../type-tokens";
import type { StoredSourceFile } from "./types";

export interface StorageBlobInfoArgs {
    /** ARM id of the storage account: /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}. */
    storageAccountId: pulumi.Input<string>;
    /** The blob container holding the VHD. */
    containerName: pulumi.Input<string>;
    /** The VHD blob's name (ends in `.vhd`). */
    fileName?: pulumi.Input<string>;
    /** Alias of `fileName` (the spelling in Graph's import example). */
    blobName?: pulumi.Input<string>;
}

export interface SourceFileArgs {
    /** `azureStorageAccount` or `sasUrl`; inferred from the field you give. */
    sourceType?: pulumi.Input<"azureStorageAccount" | "sasUrl">;
    /** `dataFile` (the OS disk; default) or `virtualMachineGuestState` (VMGS blob of a Trusted Launch VM). */
    fileType?: pulumi.Input<"dataFile" | "virtualMachineGuestState">;
    /** The VHD as a blob in your storage account. */
    storageBlobInfo?: pulumi.Input<StorageBlobInfoArgs>;
    /** The VHD as an https URL with a SAS token. Stored as a Pulumi secret; never logged. */
    sasUrl?: pulumi.Input<string>;
}

export interface CloudPcImportedSnapshotArgs {
    /** Entra object id (GUID) of the user who gets a new Cloud PC provisioned from the snapshot. */
    assignedUserId: pulumi.Input<string>;
    /** The files to import: one `dataFile`, optionally one `virtualMachineGuestState`. */
    sourceFiles: pulumi.Input<pulumi.Input<SourceFileArgs>[]>;
    /** Wait until the import succeeds or fails (default true). Changing it never re-imports. */
    waitForCompletion?: pulumi.Input<boolean>;
    /** How long to wait for the import, in minutes (default 60). Changing it never re-imports. */
    timeoutMinutes?: pulumi.Input<number>;
    /**
     * The snapshotId of an import that already exists for this user: the resource adopts it instead of importing.
     * (Pulumi's `import` option does not work with Node.js dynamic providers.)
     */
    adoptSnapshotId?: pulumi.Input<string>;
    /**
     * The stack config namespace whose settings manage this import, for a stack that manages several tenants:
     * `"tenantB"` signs in with `tenantB:tenantId`, `tenantB:clientId`, `tenantB:clientSecret`, ... (only from there,
     * never from `cloudpc:*`, `azuread:*` or the environment; other settings not set there are the default's). The name only, never
     * a secret. Absent: `cloudpc:*`, then the environment. Changing it replaces the import.
     */
    settings?: pulumi.Input<string>;
}

// One provider object for every resource: the SDK serializes it once per program, not once per resource.
const PROVIDER = new CloudPcImportedSnapshotProvider();

/** The outputs that are not inputs: declared as placeholders, and refused (by check) when the program gives them. */
const OUTPUT_ONLY = [
    "snapshotId",
    "importStatus",
    "usageStatus",
    "filename",
    "assignedUserPrincipalName",
    "policyName",
    "startDateTime",
    "endDateTime",
    "additionalDetail",
];

export class CloudPcImportedSnapshot extends pulumi.dynamic.Resource {
    /** The import's id in Graph (also the resource id). */
    declare public readonly snapshotId: pulumi.Output<string>;
    declare public readonly assignedUserId: pulumi.Output<string>;
    /** The source files as recorded: SAS URLs appear only without their query string, plus a SHA-256 of the URL. */
    declare public readonly sourceFiles: pulumi.Output<StoredSourceFile[]>;
    declare public readonly waitForCompletion: pulumi.Output<boolean>;
    declare public readonly timeoutMinutes: pulumi.Output<number>;
    declare public readonly adoptSnapshotId: pulumi.Output<string | null>;
    /** The settings namespace of the tenant holding the import (null: the default). */
    declare public readonly settings: pulumi.Output<string | null>;
    /** `pending`, `inProgress`, `succeeded` or `failed` (or a newer value Graph adds). */
    declare public readonly importStatus: pulumi.Output<string | null>;
    /** `notUsed`, `inUse` or `expired`. */
    declare public readonly usageStatus: pulumi.Output<string | null>;
    declare public readonly filename: pulumi.Output<string | null>;
    declare public readonly assignedUserPrincipalName: pulumi.Output<string | null>;
    declare public readonly policyName: pulumi.Output<string | null>;
    declare public readonly startDateTime: pulumi.Output<string | null>;
    declare public readonly endDateTime: pulumi.Output<string | null>;
    /** Graph's explanation when an import failed. */
    declare public readonly additionalDetail: pulumi.Output<string | null>;

    constructor(name: string, args: CloudPcImportedSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
        // Whatever the program passed ends in check(), never in a throw here (check names what is wrong).
        const prepared = prepareArgs(name, args, opts, OUTPUT_ONLY);
        super(
            PROVIDER,
            name,
            {
                ...prepared.args,
                sourceFiles: protectSasUrls(prepared.args.sourceFiles),
                [HIDDEN_INPUT]: prepared.hidden,
                ...prepared.outputs,
            },
            withAliasFrom010(opts),
            TYPE_MODULE,
            IMPORTED_SNAPSHOT_TYPE,
        );
        prepared.bind(this);
    }
}

/**
 * Wraps every sasUrl in pulumi.secret, so the engine encrypts it in the stored inputs whatever the program did.
 * A value of the wrong shape passes through for check() to report; a string where a list or an entry belongs may be
 * a SAS URL, so it is made secret too.
 */
function protectSasUrls(files: unknown): pulumi.Input<pulumi.Input<SourceFileArgs>[]> {
    return (pulumi.output(files) as pulumi.Output<unknown>).apply((list) =>
        Array.isArray(list) ? list.map(protectEntry) : protectEntry(list),
    ) as pulumi.Input<pulumi.Input<SourceFileArgs>[]>;
}

function protectEntry(entry: unknown): unknown {
    if (typeof entry === "string") return pulumi.secret(entry);
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return entry;
    const e = entry as Record<string, unknown>;
    return e.sasUrl !== undefined && e.sasUrl !== null ? { ...e, sasUrl: pulumi.secret(e.sasUrl) } : entry;
}
