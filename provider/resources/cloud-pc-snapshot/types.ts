// Plain (resolved) shapes of the CloudPcSnapshot inputs and outputs, shared by check, diff and the lifecycle.
// The Pulumi-facing `Input<...>` versions live in resource.ts.
import type { RestorePointProperties } from "../../snapshots/types";

export const ACCESS_TIERS = ["hot", "cool", "cold", "archive"] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

/** Inputs after check(): defaults filled (accessTier `hot` only when a storage account is given). */
export interface CloudPcSnapshotInputs {
    cloudPcId: string;
    storageAccountId?: string;
    accessTier?: AccessTier;
    waitForCompletion: boolean;
    timeoutMinutes: number;
    /** The stack config namespace of another tenant's settings (`tenantB` for `tenantB:*`); undefined: the default. */
    settings?: string;
}

/** Everything the resource records in state. No field is ever `undefined` (the engine's Struct encoding rejects it). */
export interface CloudPcSnapshotOutputs extends RestorePointProperties {
    cloudPcId: string;
    storageAccountId: string | null;
    accessTier: string | null;
    waitForCompletion: boolean;
    timeoutMinutes: number;
    /** The settings namespace the restore point was taken with (null: the default); read goes to its tenant. */
    settings: string | null;
    /** The restore point's id (also the resource id), e.g. CPC_{guid}_{guid}. */
    snapshotId: string;
}
