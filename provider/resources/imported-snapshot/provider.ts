// The dynamic provider serialized into each CloudPcImportedSnapshot's state: lazy (runtime/lazy-provider.ts), so it stays
// small, never captures a secret and names no path. handlers.ts holds the methods.
import type * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "../../runtime/lazy-provider";

const methods = lazyProvider("importedSnapshot");

export interface CloudPcImportedSnapshotProvider extends pulumi.dynamic.ResourceProvider {}

/** The provider for CloudPcImportedSnapshot; `new CloudPcImportedSnapshotProvider()` needs no arguments. */
export class CloudPcImportedSnapshotProvider {
    constructor() {
        // Returning the shared object keeps what gets serialized minimal (see above); it holds no state.
        return methods as CloudPcImportedSnapshotProvider;
    }
}
