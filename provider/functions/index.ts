// Read-only functions (and the two one-off Cloud PC actions) for Pulumi programs and scripts.
export type { FunctionOptions, InputArgs } from "./client";
export * from "./imported-snapshots";
export * from "./cloud-pc-snapshots";
export * from "./storage";
export * from "./actions";
