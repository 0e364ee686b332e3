// Preloaded (node -r) into the dynamic-provider process by our plugin launcher and the test harness.
// A serialized provider requires its handlers by a project-relative path without extension. In this repository
// those are TypeScript sources; from the published package they are JavaScript. This hook makes ".ts" resolvable
// and loads ts-node (transpile-only) only when a .ts file is actually required, so the compiled package never pays
// for the TypeScript compiler.
"use strict";
const Module = require("module");
if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = function loadTypeScript(module, filename) {
        delete Module._extensions[".ts"];
        const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), __dirname] }));
        tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
        return Module._extensions[".ts"](module, filename);
    };
}
