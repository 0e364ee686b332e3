// The provider process as our plugin launcher starts it: its memory settings (docs/BENCHMARKS.md) and the
// TypeScript compiler loaded only on demand (scripts/pulumi/ts-on-demand.js).
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamicProviderProcess, REPO_ROOT } from "../harness/dynamic-provider";

const HOOK = path.join(REPO_ROOT, "scripts", "pulumi", "ts-on-demand.js");

/** Runs `code` in a fresh node with the hook preloaded; returns what it printed (JSON). */
async function withHook(code: string): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)(process.execPath, ["--no-warnings", "-r", HOOK, "-e", code], {
        cwd: REPO_ROOT,
    });
    return JSON.parse(stdout.trim().split("\n").pop()!);
}

const TS_LOADED = `Object.keys(require.cache).some((k) => k.endsWith("typescript/lib/typescript.js") || k.includes("vendor/typescript@"))`;

describe("provider process", function () {
    this.timeout(60_000);

    it("the dynamic-provider host's runtime loads without the TypeScript compiler", async () => {
        const out = await withHook(`
            require("@pulumi/pulumi/runtime");
            require("@pulumi/pulumi/runtime/closure/parseFunction");
            console.log(JSON.stringify({ loaded: ${TS_LOADED} }));`);
        assert.equal(out.loaded, false);
    });

    it("the SDK still gets the compiler the first time it uses it (closure serialization works)", async () => {
        const out = await withHook(`
            const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
            const before = ${TS_LOADED};
            const x = 42;
            class C { constructor() { this.v = x; } m() { return super.toString() + this.v; } }
            serializeFunction(() => new C().m()).then((sf) => {
                const ts = require("@pulumi/pulumi/typescript-shim");
                console.log(JSON.stringify({ before, after: ${TS_LOADED}, text: sf.text.includes("42"),
                    kinds: typeof ts.SyntaxKind === "object", keys: Object.keys(ts).includes("createSourceFile"),
                    same: ts.createSourceFile === require("typescript").createSourceFile }));
            });`);
        assert.deepEqual(out, { before: false, after: true, text: true, kinds: true, keys: true, same: true });
    });

    it("our launcher starts node with --optimize-for-size and the hook; CLOUDPC_PROVIDER_NODE_FLAGS replaces the flags", async () => {
        const argsOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        const p = await DynamicProviderProcess.start({ launcher: true });
        try {
            const args = argsOf(p.pid!);
            assert.ok(args.includes("--optimize-for-size"), args.join(" "));
            assert.ok(args.includes(HOOK) || args.some((a) => a.endsWith("ts-on-demand.js")), args.join(" "));
        } finally {
            await p.close();
        }
        const q = await DynamicProviderProcess.start({
            launcher: true,
            env: { CLOUDPC_PROVIDER_NODE_FLAGS: "--max-semi-space-size=4" },
        });
        try {
            const args = argsOf(q.pid!);
            assert.ok(
                args.includes("--max-semi-space-size=4") && !args.includes("--optimize-for-size"),
                args.join(" "),
            );
        } finally {
            await q.close();
        }
    });
});
