// The one module that providers serialized into Pulumi state load, by the package's name and one exported subpath:
// `@cloudpc/pulumi-snapshots/provider-handlers` (package.json "exports"; provider-handlers.js picks this file or its
// compiled copy). Part of the state contract: keep the subpath and these function names for as long as stacks may
// hold a provider that calls them (a test pins them). Each returns one resource's handlers, loaded on first use.
import type { ProviderHandlers } from "./runtime/lazy-provider";

export function importedSnapshot(): ProviderHandlers {
    return require("./resources/imported-snapshot/handlers") as typeof import("./resources/imported-snapshot/handlers");
}

export function cloudPcSnapshot(): ProviderHandlers {
    return require("./resources/cloud-pc-snapshot/handlers") as typeof import("./resources/cloud-pc-snapshot/handlers");
}
