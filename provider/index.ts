// Public entry point of the library.
export { CloudPcImportedSnapshot } from "./resources/imported-snapshot/resource";
export type {
    CloudPcImportedSnapshotArgs,
    SourceFileArgs,
    StorageBlobInfoArgs,
} from "./resources/imported-snapshot/resource";
export { CloudPcImportedSnapshotProvider } from "./resources/imported-snapshot/provider";
export type * from "./snapshots/types";
export { CloudPcSnapshot } from "./resources/cloud-pc-snapshot/resource";
export type { CloudPcSnapshotArgs } from "./resources/cloud-pc-snapshot/resource";
export { CloudPcSnapshotProvider } from "./resources/cloud-pc-snapshot/provider";
export * from "./functions";
export type { CloudPcSnapshot as CloudPcSnapshotRecord } from "./snapshots/types";
