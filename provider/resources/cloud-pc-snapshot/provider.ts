// The dynamic provider serialized into each CloudPcSnapshot's state. Like the imported-snapshot provider, its
// methods capture only where handlers.ts lives and `require()` it on first use (see runtime/lazy-module.ts), so the
// serialized text stays small and can never carry a secret or a copy of a module.
import type * as pulumi from "@pulumi/pulumi";
import { projectRelative } from "../../runtime/lazy-module";

type Handlers = typeof import("./handlers");
const H = { path: projectRelative(`${__dirname}/handlers`) };

// A plain object of arrow functions: Pulumi's closure serializer writes a class instance at well over twice the size.
const methods: Required<Pick<pulumi.dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "update" | "read" | "delete">> = {
    configure: (r) => (require(H.path) as Handlers).configure(r),
    check: (o, n) => (require(H.path) as Handlers).check(o, n),
    diff: (i, o, n) => (require(H.path) as Handlers).diff(i, o, n),
    create: (n) => (require(H.path) as Handlers).create(n),
    update: (i, o, n) => (require(H.path) as Handlers).update(i, o, n),
    read: (i, p) => (require(H.path) as Handlers).read(i, p),
    delete: (i, p) => (require(H.path) as Handlers).remove(i, p),
};

export interface CloudPcSnapshotProvider extends pulumi.dynamic.ResourceProvider {}

/** The provider for CloudPcSnapshot; `new CloudPcSnapshotProvider()` needs no arguments. */
export class CloudPcSnapshotProvider {
    constructor() {
        // Returning the shared object keeps what gets serialized minimal; it holds no state.
        return methods as CloudPcSnapshotProvider;
    }
}
