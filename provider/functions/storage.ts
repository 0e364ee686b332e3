// Where Windows 365 may copy snapshots: the Azure subscriptions and storage accounts it can use (contract E4/E5).
import * as pulumi from "@pulumi/pulumi";
import { getStorageAccounts as listAccounts, getSubscriptions as listSubscriptions } from "../snapshots/subscriptions";
import { checkGuid } from "../validation/rules";
import { functionClient, outputOf, rejectInvalid, type FunctionOptions, type InputArgs } from "./client";

export interface SubscriptionResult {
    subscriptionId: string;
    subscriptionName: string | null;
}

export interface StorageAccountResult {
    /** ARM id: what CloudPcSnapshot's storageAccountId takes. */
    storageAccountId: string;
    storageAccountName: string | null;
    /** The account's tier: hot (Graph's default), cool, premium, cold, or a member Graph adds later. */
    accessTier: string | null;
    /** True when immutability policies are configured: Windows 365 then accepts only accessTier "hot" for snapshots. */
    immutableStorage: boolean | null;
}

export interface GetStorageAccountsArgs {
    subscriptionId: string;
}

/** Azure subscriptions Windows 365 can store Cloud PC snapshots in. */
export async function getSubscriptions(options?: FunctionOptions): Promise<SubscriptionResult[]> {
    const subs = await listSubscriptions(functionClient(options));
    return subs.map((s) => ({ subscriptionId: s.subscriptionId, subscriptionName: s.subscriptionName ?? null }));
}

/** The storage accounts of one of those subscriptions. */
export async function getStorageAccounts(
    args: GetStorageAccountsArgs,
    options?: FunctionOptions,
): Promise<StorageAccountResult[]> {
    rejectInvalid("subscriptionId", checkGuid(args.subscriptionId, "an Azure subscription id"));
    const accounts = await listAccounts(functionClient(options), args.subscriptionId);
    return accounts.map((a) => ({
        storageAccountId: a.storageAccountId,
        storageAccountName: a.storageAccountName ?? null,
        accessTier: a.accessTier ?? null,
        immutableStorage: typeof a.immutableStorage === "boolean" ? a.immutableStorage : null,
    }));
}

export function getSubscriptionsOutput(options?: FunctionOptions): pulumi.Output<SubscriptionResult[]> {
    return pulumi.output(getSubscriptions(options));
}

export function getStorageAccountsOutput(
    args: InputArgs<GetStorageAccountsArgs>,
    options?: FunctionOptions,
): pulumi.Output<StorageAccountResult[]> {
    return outputOf(getStorageAccounts, args, options);
}
