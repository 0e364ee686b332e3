// Azure subscriptions and storage accounts Windows 365 may write snapshots to (E4/E5). Configurable through the
// `subscriptions` option; createSnapshot/shareSnapshot accept only storage accounts listed here (emulator decision:
// Windows 365 can only write where it was granted access, and getStorageAccounts is how Graph says where that is).
import type { CloudPcForensicStorageAccount, CloudPcSubscription } from "../provider/snapshots/types";

export interface EmulatorStorageAccount {
    storageAccountId: string;
    /** Default: the last segment of the ARM id. */
    storageAccountName?: string;
    /** cloudPcStorageAccountAccessTier (hot, cool, premium, cold). Default `hot`, Graph's documented default. */
    accessTier?: string | null;
    /** Immutability policies configured: Windows 365 then accepts only the `hot` tier for snapshots. Default false. */
    immutableStorage?: boolean | null;
}

export interface EmulatorSubscription {
    subscriptionId: string;
    /** Default: the subscription id. */
    subscriptionName?: string;
    /** Storage accounts getStorageAccounts(subscriptionId=) lists for this subscription. */
    storageAccounts?: EmulatorStorageAccount[];
}

/** The one subscription / storage account the emulator offers by default. */
export const EMULATOR_SUBSCRIPTION: CloudPcSubscription = {
    subscriptionId: "5b1f8e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    subscriptionName: "Emulator Subscription",
};
export const EMULATOR_STORAGE_ACCOUNT: CloudPcForensicStorageAccount = {
    storageAccountId: `/subscriptions/${EMULATOR_SUBSCRIPTION.subscriptionId}/resourceGroups/emulator-rg/providers/Microsoft.Storage/storageAccounts/emulatorsnapshots`,
    storageAccountName: "emulatorsnapshots",
    accessTier: "hot",
    immutableStorage: false,
};

export function defaultSubscriptions(): EmulatorSubscription[] {
    return [{ ...EMULATOR_SUBSCRIPTION, storageAccounts: [{ ...EMULATOR_STORAGE_ACCOUNT }] }];
}

/** One account as getStorageAccounts answers it: every property of cloudPcForensicStorageAccount in the metadata. */
function toGraph(a: EmulatorStorageAccount): CloudPcForensicStorageAccount {
    return {
        storageAccountId: a.storageAccountId,
        storageAccountName: a.storageAccountName ?? a.storageAccountId.split("/").pop()!,
        accessTier: a.accessTier ?? "hot",
        immutableStorage: a.immutableStorage ?? false,
    };
}

/** The storage accounts of one subscription (none for an unknown one, as Graph's list would be empty). */
export function storageAccountsOf(
    subscriptions: EmulatorSubscription[],
    subscriptionId: string,
): CloudPcForensicStorageAccount[] {
    const sub = subscriptions.find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
    return (sub?.storageAccounts ?? []).map(toGraph);
}

/** The offered storage account with this ARM id (ARM ids are case-insensitive), or undefined. */
export function offeredStorageAccount(
    subscriptions: EmulatorSubscription[],
    storageAccountId: string,
): CloudPcForensicStorageAccount | undefined {
    const wanted = storageAccountId.toLowerCase();
    const found = subscriptions
        .flatMap((s) => s.storageAccounts ?? [])
        .find((a) => a.storageAccountId.toLowerCase() === wanted);
    return found && toGraph(found);
}

/** True when the ARM id names a storage account offered by some subscription. */
export function isOfferedStorageAccount(subscriptions: EmulatorSubscription[], storageAccountId: string): boolean {
    return offeredStorageAccount(subscriptions, storageAccountId) !== undefined;
}
