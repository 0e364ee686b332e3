// The dynamic provider serialized into each CloudPcSnapshot's state: lazy (runtime/lazy-provider.ts), so it stays
// small, never captures a secret and names no path. handlers.ts holds the methods.
import type * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "../../runtime/lazy-provider";

const methods = lazyProvider("cloudPcSnapshot");

export interface CloudPcSnapshotProvider extends pulumi.dynamic.ResourceProvider {}

/** The provider for CloudPcSnapshot; `new CloudPcSnapshotProvider()` needs no arguments. */
export class CloudPcSnapshotProvider {
    constructor() {
        // Returning the shared object keeps what gets serialized minimal; it holds no state.
        return methods as CloudPcSnapshotProvider;
    }
}
