// The dynamic provider each resource serializes into its state. Its methods capture nothing but where the
// resource's handlers.ts lives and `require()` it on first use, so the serialized text stays under 2 KB and can never
// carry a secret or a copy of a module (see lazy-module.ts for how the location resolves in the provider process).
import type * as pulumi from "@pulumi/pulumi";
import { projectRelative } from "./lazy-module";

type Methods = Required<Pick<pulumi.dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "update" | "read" | "delete">>;

/** What a resource's handlers.ts exports: the provider's methods, with `delete` named `remove` (a reserved word). */
export type ProviderHandlers = Omit<Methods, "delete"> & { remove: Methods["delete"] };

/**
 * The provider object for the handlers in `handlersFile` (an absolute path without extension, `${__dirname}/handlers`).
 * `_Handlers` is that module's type (`typeof import("./handlers")`): the compiler checks it exports every method.
 * A plain object of arrow functions: Pulumi's closure serializer writes a class instance's prototype, constructor
 * and methods at well over twice the size. It holds no state, so a resource class may return the same one always.
 */
export function lazyProvider<_Handlers extends ProviderHandlers>(handlersFile: string): Methods {
    const H = { path: projectRelative(handlersFile) };
    return {
        configure: (r) => (require(H.path) as ProviderHandlers).configure(r),
        check: (o, n) => (require(H.path) as ProviderHandlers).check(o, n),
        diff: (i, o, n) => (require(H.path) as ProviderHandlers).diff(i, o, n),
        create: (n) => (require(H.path) as ProviderHandlers).create(n),
        update: (i, o, n) => (require(H.path) as ProviderHandlers).update(i, o, n),
        read: (i, p) => (require(H.path) as ProviderHandlers).read(i, p),
        delete: (i, p) => (require(H.path) as ProviderHandlers).remove(i, p),
    };
}
