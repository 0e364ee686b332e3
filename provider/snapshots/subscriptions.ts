// getSubscriptions and getStorageAccounts (contract E4/E5): where Windows 365 may put copies of snapshots.
// Both are functions returning paged collections; every page is read.
import type { GraphClient } from "../graph/client";
import { odataString, SNAPSHOTS } from "./paths";
import type { CloudPcForensicStorageAccount, CloudPcSubscription } from "./types";

export function getSubscriptions(client: GraphClient): Promise<CloudPcSubscription[]> {
    return client.listAll<CloudPcSubscription>(`${SNAPSHOTS}/getSubscriptions`, "getSubscriptions");
}

export function getStorageAccounts(
    client: GraphClient,
    subscriptionId: string,
): Promise<CloudPcForensicStorageAccount[]> {
    return client.listAll<CloudPcForensicStorageAccount>(
        `${SNAPSHOTS}/getStorageAccounts(subscriptionId=${odataString(subscriptionId)})`,
        "getStorageAccounts",
    );
}
