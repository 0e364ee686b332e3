// The default User-Agent: "<package name>/<version> (+node <version>)", so Graph-side logs show which tool and
// release made a call. Read from the package's own package.json (found by walking up: the file sits at a
// different depth under ts-node and in dist/).

import * as fs from "node:fs";
import * as path from "node:path";

const PACKAGE_NAME = "@cloudpc/pulumi-snapshots";

function findPackage(): { name: string; version: string } | undefined {
    let dir = __dirname;
    for (let i = 0; i < 6; i++) {
        const file = path.join(dir, "package.json");
        try {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (pkg.name === PACKAGE_NAME && pkg.version) return { name: pkg.name, version: pkg.version };
        } catch {
            // no (readable) package.json here; keep walking up
        }
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
    }
    return undefined;
}

/** Read anew on each call: the client computes it once, in its constructor. */
export function defaultUserAgent(): string {
    const pkg = findPackage() ?? { name: PACKAGE_NAME, version: "0.0.0" };
    return `${pkg.name}/${pkg.version} (+node ${process.versions.node})`;
}
