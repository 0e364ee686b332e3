// Public entry point of the library.
export { CloudPcImportedSnapshot } from "./resources/imported-snapshot/resource";
export type { CloudPcImportedSnapshotArgs, SourceFileArgs, StorageBlobInfoArgs } from "./resources/imported-snapshot/resource";
export { CloudPcImportedSnapshotProvider } from "./resources/imported-snapshot/provider";
export type * from "./snapshots/types";
