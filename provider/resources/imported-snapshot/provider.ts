// The dynamic provider serialized into each resource's state. Its methods capture nothing but the location of
// handlers.ts and `require()` it on first use, so the serialized text stays under 2 KB and can never carry a
// secret or a copy of a module (see runtime/lazy-module.ts for how the location resolves in the provider process).
import type * as pulumi from "@pulumi/pulumi";
import { projectRelative } from "../../runtime/lazy-module";

type Handlers = typeof import("./handlers");
const H = { path: projectRelative(`${__dirname}/handlers`) };

// A plain object of arrow functions: Pulumi's closure serializer writes a class instance's prototype, constructor
// and methods at well over twice the size.
const methods: Required<Pick<pulumi.dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "update" | "read" | "delete">> = {
    configure: (r) => (require(H.path) as Handlers).configure(r),
    check: (o, n) => (require(H.path) as Handlers).check(o, n),
    diff: (i, o, n) => (require(H.path) as Handlers).diff(i, o, n),
    create: (n) => (require(H.path) as Handlers).create(n),
    update: (i, o, n) => (require(H.path) as Handlers).update(i, o, n),
    read: (i, p) => (require(H.path) as Handlers).read(i, p),
    delete: (i) => (require(H.path) as Handlers).remove(i),
};

export interface CloudPcImportedSnapshotProvider extends pulumi.dynamic.ResourceProvider {}

/** The provider for CloudPcImportedSnapshot; `new CloudPcImportedSnapshotProvider()` needs no arguments. */
export class CloudPcImportedSnapshotProvider {
    constructor() {
        // Returning the shared object keeps what gets serialized minimal (see above); it holds no state.
        return methods as CloudPcImportedSnapshotProvider;
    }
}
