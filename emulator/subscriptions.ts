// Azure subscriptions and storage accounts Windows 365 may write snapshots to (E4/E5). Configurable through the
// `subscriptions` option; createSnapshot/shareSnapshot accept only storage accounts listed here (emulator decision:
// Windows 365 can only write where it was granted access, and getStorageAccounts is how Graph says where that is).
import type { CloudPcForensicStorageAccount, CloudPcSubscription } from "../provider/snapshots/types";

export interface EmulatorStorageAccount {
    storageAccountId: string;
    /** Default: the last segment of the ARM id. */
    storageAccountName?: string;
}

export interface EmulatorSubscription {
    subscriptionId: string;
    /** Default: the subscription id. */
    subscriptionName?: string;
    /** Storage accounts getStorageAccounts(subscriptionId=) lists for this subscription. */
    storageAccounts?: EmulatorStorageAccount[];
}

/** The one subscription / storage account the emulator offers by default. */
export const EMULATOR_SUBSCRIPTION: CloudPcSubscription = { subscriptionId: "5b1f8e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", subscriptionName: "Emulator Subscription" };
export const EMULATOR_STORAGE_ACCOUNT: CloudPcForensicStorageAccount = {
    storageAccountId: `/subscriptions/${EMULATOR_SUBSCRIPTION.subscriptionId}/resourceGroups/emulator-rg/providers/Microsoft.Storage/storageAccounts/emulatorsnapshots`,
    storageAccountName: "emulatorsnapshots",
};

export function defaultSubscriptions(): EmulatorSubscription[] {
    return [{ ...EMULATOR_SUBSCRIPTION, storageAccounts: [{ ...EMULATOR_STORAGE_ACCOUNT }] }];
}

/** The storage accounts of one subscription (none for an unknown one, as Graph's list would be empty). */
export function storageAccountsOf(subscriptions: EmulatorSubscription[], subscriptionId: string): CloudPcForensicStorageAccount[] {
    const sub = subscriptions.find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
    return (sub?.storageAccounts ?? []).map((a) => ({ storageAccountId: a.storageAccountId, storageAccountName: a.storageAccountName ?? a.storageAccountId.split("/").pop()! }));
}

/** True when the ARM id names a storage account offered by some subscription (ARM ids are case-insensitive). */
export function isOfferedStorageAccount(subscriptions: EmulatorSubscription[], storageAccountId: string): boolean {
    const wanted = storageAccountId.toLowerCase();
    return subscriptions.some((s) => (s.storageAccounts ?? []).some((a) => a.storageAccountId.toLowerCase() === wanted));
}
