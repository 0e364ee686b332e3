// Preloaded (node -r) into the dynamic-provider process by our plugin launcher and the test harness.
// TypeScript on demand, twice over:
//
// 1. ts-node. A serialized provider requires its handlers by a project-relative path without extension. In this
//    repository those are TypeScript sources; from the published package they are JavaScript. This hook makes ".ts"
//    resolvable and loads ts-node (transpile-only) only when a .ts file is actually required, so the compiled
//    package never pays for the TypeScript compiler.
//
// 2. The compiler that @pulumi/pulumi loads for itself. The dynamic-provider host (cmd/dynamic-provider) requires
//    the SDK's runtime, whose closure serializer (runtime/closure/parseFunction.js) requires `typescript` through
//    typescript-shim.js when it is loaded. The host never serializes a closure, but parsing and keeping the 9 MB
//    compiler costs about 30 MB of the process's RSS (measured: idle host 126 MB with it, 96 MB without; see
//    docs/BENCHMARKS.md). The shim is therefore answered with a stand-in that loads the real shim, fallback and
//    all, the first time anything touches it: code that does use the compiler still gets it, one call later.
"use strict";
const Module = require("module");
const path = require("path");

if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = function loadTypeScript(module, filename) {
        delete Module._extensions[".ts"];
        const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), __dirname] }));
        tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
        return Module._extensions[".ts"](module, filename);
    };
}

const SHIM = `${path.sep}@pulumi${path.sep}pulumi${path.sep}typescript-shim.js`;
const stand_ins = new Map();
const load = Module._load;
Module._load = function loadPulumiTypeScriptLazily(request, parent, isMain) {
    if (
        typeof request === "string" &&
        request.endsWith("typescript-shim") &&
        parent &&
        parent.filename &&
        parent.filename.includes(`${path.sep}@pulumi${path.sep}pulumi${path.sep}`)
    ) {
        let filename;
        try {
            filename = Module._resolveFilename(request, parent, isMain);
        } catch {
            return load.apply(this, arguments);
        }
        if (filename.endsWith(SHIM) && !Module._cache[filename]) {
            let standIn = stand_ins.get(filename);
            if (!standIn) {
                const args = arguments;
                standIn = lazyModule(() => load.apply(this, args));
                stand_ins.set(filename, standIn);
            }
            return standIn;
        }
    }
    return load.apply(this, arguments);
};

/** An object that becomes the module `loadIt()` returns the first time any of its properties is used. */
function lazyModule(loadIt) {
    const target = {};
    let loaded = false;
    const ready = () => {
        if (!loaded) {
            loaded = true;
            // Copy the descriptors (getters stay getters) so the proxy's invariants hold for every trap.
            Object.defineProperties(target, Object.getOwnPropertyDescriptors(loadIt()));
        }
        return target;
    };
    return new Proxy(target, {
        get: (_, key) => Reflect.get(ready(), key),
        has: (_, key) => Reflect.has(ready(), key),
        ownKeys: () => Reflect.ownKeys(ready()),
        getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(ready(), key),
        set: (_, key, value) => Reflect.set(ready(), key, value),
        defineProperty: (_, key, d) => Reflect.defineProperty(ready(), key, d),
        deleteProperty: (_, key) => Reflect.deleteProperty(ready(), key),
    });
}
