// The dynamic provider each resource serializes into its state. Its methods capture nothing but the name of the
// package's stable entry point and which resource's handlers to take from it, and `require()` it on first use, so
// the serialized text stays under 2 KB, can never carry a secret or a copy of a module, and holds no path of the
// install or the checkout: the same text works after `npm install` of a newer version, with pnpm's versioned
// folders, and on another machine. A test pins the text (test/integration/stored-provider.test.ts): stacks keep it.
// The SDK's closure serializer parses this text with the project's TypeScript, or, in a JavaScript project without
// one, the TypeScript 3.8 it vendors: only syntax that 3.8 parses (no ??=, no class fields), checked by
// test/unit/serialized-syntax.test.ts.
import type * as pulumi from "@pulumi/pulumi";

type Methods = Required<Pick<pulumi.dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "update" | "read" | "delete">>;

/** What a resource's handlers.ts exports: the provider's methods, with `delete` named `remove` (a reserved word). */
export type ProviderHandlers = Omit<Methods, "delete"> & { remove: Methods["delete"] };

/** The package's entry point for serialized providers (package.json "exports"; provider/handlers.ts). */
export const HANDLERS_ENTRY = "@cloudpc/pulumi-snapshots/provider-handlers";

/** The resources whose handlers the entry point gives (its function names). */
export type HandlersKind = keyof typeof import("../handlers");

/**
 * The provider object for one resource's handlers. A plain object of arrow functions: Pulumi's closure serializer
 * writes a class instance's prototype, constructor and methods at well over twice the size. It holds no state, so a
 * resource class may return the same one always.
 */
export function lazyProvider(kind: HandlersKind): Methods {
    const H = { entry: HANDLERS_ENTRY, kind };
    // Runs in the provider process, whose cwd is the project directory: the package as the project installed it.
    // Failing that, each directory above (this repository's examples, run from its sources, find the package by its
    // own name at the root), then the requiring module's own resolution (the provider used in-process). Only "the
    // entry is not there" moves on; any other error (a broken install, an older version) is the answer.
    const load = (): ProviderHandlers => {
        const { createRequire } = require("node:module"), { dirname, join } = require("node:path");
        const missing = (e: Error & { code?: string }) => e.code === "MODULE_NOT_FOUND" && e.message.includes(`'${H.entry}'`);
        let first: Error | undefined;
        for (let dir = process.cwd(), below = ""; dir !== below; below = dir, dir = dirname(dir)) {
            try {
                return createRequire(join(dir, "x.js"))(H.entry)[H.kind]();
            } catch (err) {
                if (!missing(err as Error)) throw err;
                if (!first) first = err as Error;
            }
        }
        try {
            return require(H.entry)[H.kind]();
        } catch (err) {
            throw missing(err as Error) ? first : err;
        }
    };
    return {
        configure: (r) => load().configure(r),
        check: (o, n) => load().check(o, n),
        diff: (i, o, n) => load().diff(i, o, n),
        create: (n) => load().create(n),
        update: (i, o, n) => load().update(i, o, n),
        read: (i, p) => load().read(i, p),
        delete: (i, p) => load().remove(i, p),
    };
}
