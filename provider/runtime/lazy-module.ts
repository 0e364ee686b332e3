// Dynamic providers are serialized into every resource's state and re-created from that text in the provider process.
// Capturing the implementation would copy whole modules (and any secret they hold) into state, so provider methods
// only capture where the implementation lives and `require` it on first use.
//
// The location is kept relative to the project directory (the program's cwd, which is also the provider process's
// cwd), so state written on one machine still works on a CI runner with a different checkout path; the absolute path
// is a fallback. When only TypeScript sources exist (running this repository from source), ts-node is registered
// in the provider process first, in transpile-only mode.
import * as path from "node:path";

export interface ModuleLocation {
    /** Relative to the project directory, without extension. */
    relative: string;
    /** Absolute, without extension. */
    absolute: string;
}

export function locate(absoluteWithoutExt: string): ModuleLocation {
    return { relative: path.relative(process.cwd(), absoluteWithoutExt), absolute: absoluteWithoutExt };
}

/**
 * Loads the module at `where`. Written to be serialized: it uses nothing but `require` and `process`, and the
 * location it is given, so a serialized provider method that calls it stays small.
 */
export function loadModule<T>(where: ModuleLocation): T {
    const nodePath = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    const candidates = [nodePath.resolve(process.cwd(), where.relative), where.absolute];
    for (const base of candidates) {
        if (fs.existsSync(`${base}.js`)) return require(`${base}.js`) as T;
    }
    for (const base of candidates) {
        if (fs.existsSync(`${base}.ts`)) {
            if (!require.extensions[".ts"]) {
                const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), nodePath.dirname(base)] }));
                tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
            }
            return require(`${base}.ts`) as T;
        }
    }
    throw new Error(
        `cloudpc provider: cannot find its implementation at ${candidates.join(" or ")} (.js or .ts). ` +
        `Run pulumi from the project directory, with the package installed (npm install).`);
}

/**
 * The path a serialized provider method can `require()` directly: relative to the project directory and starting
 * with "./" or "../". The dynamic-provider host evaluates the serialized text as a module whose path is the
 * provider process's cwd (the project directory), so such a relative require resolves there. TypeScript sources
 * need ts-node registered in that process (our plugin launcher and test harness start it with
 * `-r ts-node/register/transpile-only`); the published package's compiled JavaScript needs nothing.
 */
export function projectRelative(absoluteWithoutExt: string): string {
    const rel = path.relative(process.cwd(), absoluteWithoutExt).split(path.sep).join("/");
    // "../x" is already relative; "x" and ".hidden/x" need "./" or require() would search node_modules.
    return rel.startsWith("../") ? rel : `./${rel}`;
}
