// The package's @pulumi/pulumi range, tested at both ends: its floor (the first SDK whose dynamic providers get
// `configure`, without which `cloudpc:*` stack config would be silently ignored) and the newest SDK the registry
// serves. A user's project with either SDK installs the packed package, gets ONE copy of @pulumi/pulumi (the
// project's), and runs up, refresh and destroy through the real CLI against the emulator, with every setting from
// stack config and none from the environment.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { provisionedPulumi, providerConfig } from "../../scripts/pulumi/automation";
import { inputs } from "../fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    dependencies: Record<string, string>;
};
const SDK = "@pulumi/pulumi";
/** SDK installs are kept between runs: an install takes about 10 s and the versions never change. */
const SDK_CACHE = path.join(os.homedir(), ".cache", "cloudpc-pulumi-sdk");

function run(cmd: string, args: string[], cwd: string): string {
    // Without the npm_* variables of an enclosing `npm run` (npm_config_local_prefix would make a nested
    // `npm install` install into this repository instead of `cwd`).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = spawnSync(cmd, args, {
        cwd,
        encoding: "utf8",
        timeout: 300_000,
        env: { ...env, npm_config_loglevel: "error" },
    });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
}

/** The lowest version the package.json range admits (`^3.139.0` → 3.139.0). */
export function rangeFloor(range: string): string {
    const m = /^[\^~>=]*\s*(\d+\.\d+\.\d+)/.exec(range.trim());
    if (!m) throw new Error(`cannot read a floor from the range '${range}'`);
    return m[1];
}

/** node_modules holding that SDK version and its dependencies, installed once into the cache. */
function sdkModules(version: string): string {
    const dir = path.join(SDK_CACHE, version);
    const modules = path.join(dir, "node_modules");
    if (!fs.existsSync(path.join(modules, SDK, "package.json"))) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "sdk", private: true }));
        run(
            "npm",
            ["install", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts", `${SDK}@${version}`],
            dir,
        );
    }
    return modules;
}

describe(`package: ${SDK} at the floor of its range and at the newest`, function () {
    this.timeout(600_000);
    const floor = rangeFloor(PKG.dependencies[SDK]);
    let work: string;
    let tarball: string;
    let emulator: Emulator;

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-sdk-range-"));
        run("npm", ["run", "build"], ROOT);
        tarball = path.join(
            work,
            JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT))[0]
                .filename,
        );
        emulator = await startEmulator({ importDurationMs: 300 });
    });
    after(async () => {
        await emulator?.close();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("the floor is the first SDK that calls a dynamic provider's configure", () => {
        const d = fs.readFileSync(path.join(sdkModules(floor), SDK, "dynamic", "index.d.ts"), "utf8");
        assert.match(d, /configure\?: \(req: ConfigureRequest\) => Promise<void>/);
    });

    for (const which of ["floor", "newest"] as const) {
        it(`${which}: one copy of ${SDK}, and up, refresh, destroy through the real CLI`, async () => {
            const version = which === "floor" ? floor : run("npm", ["view", SDK, "version"], ROOT).trim();
            const modules = sdkModules(version);
            const project = path.join(work, which);
            const nm = path.join(project, "node_modules");
            // The user's project, npm's flat layout: the package, the project's SDK, and the package's other
            // dependencies (this repository's copies).
            const pkgDir = path.join(nm, PKG.name);
            fs.mkdirSync(pkgDir, { recursive: true });
            execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
            // Package by package (a scope is a real folder), so links added below never land in the cache.
            const installed = fs
                .readdirSync(modules)
                .filter((e) => !e.startsWith("."))
                .flatMap((e) =>
                    e.startsWith("@") ? fs.readdirSync(path.join(modules, e)).map((p) => `${e}/${p}`) : [e],
                );
            for (const name of installed) {
                fs.mkdirSync(path.dirname(path.join(nm, name)), { recursive: true });
                fs.symlinkSync(path.join(modules, name), path.join(nm, name), "dir");
            }
            for (const dep of Object.keys(PKG.dependencies).filter((d) => d !== SDK)) {
                const link = path.join(nm, dep);
                if (fs.existsSync(link)) continue;
                fs.mkdirSync(path.dirname(link), { recursive: true });
                fs.symlinkSync(path.join(ROOT, "node_modules", dep), link, "dir");
            }
            fs.writeFileSync(
                path.join(project, "package.json"),
                JSON.stringify({
                    name: `sdk-${which}`,
                    private: true,
                    dependencies: { [PKG.name]: "*", [SDK]: version },
                }),
            );
            fs.writeFileSync(
                path.join(project, "Pulumi.yaml"),
                `name: sdk-${which}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
            );
            fs.writeFileSync(
                path.join(project, "index.js"),
                [
                    `const { CloudPcImportedSnapshot } = require("${PKG.name}");`,
                    `const snap = new CloudPcImportedSnapshot("sdk-${which}", ${JSON.stringify(inputs())});`,
                    `exports.snapshotId = snap.snapshotId;`,
                    `exports.sdk = require("${SDK}/package.json").version;`,
                    // Resolved from inside the package: the project's copy, not a nested one.
                    `exports.sdkOfPackage = require(require.resolve("${SDK}/package.json", { paths: [require.resolve("${PKG.name}")] })).version;`,
                ].join("\n"),
            );

            const backend = fs.mkdtempSync(path.join(work, "backend-"));
            const stack = await LocalWorkspace.createOrSelectStack(
                { workDir: project, stackName: which },
                {
                    pulumiCommand: await provisionedPulumi(),
                    envVars: {
                        PULUMI_BACKEND_URL: `file://${backend}`,
                        PULUMI_CONFIG_PASSPHRASE: "cloudpc-sdk-range",
                        PULUMI_SKIP_UPDATE_CHECK: "true",
                        CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
                        NODE_OPTIONS: "--disable-warning=ExperimentalWarning",
                        // Nothing from the environment: only configure() can tell the provider where Graph is.
                        AZURE_TENANT_ID: "",
                        AZURE_CLIENT_ID: "",
                        AZURE_CLIENT_SECRET: "",
                        CLOUDPC_GRAPH_ENDPOINT: "",
                        CLOUDPC_AUTHORITY_HOST: "",
                    },
                },
            );
            try {
                await stack.setAllConfig(providerConfig(emulator));
                const up = await stack.up();
                assert.equal(up.outputs.sdk!.value, version);
                assert.equal(up.outputs.sdkOfPackage!.value, version, "the package used the project's SDK");
                const id = up.outputs.snapshotId!.value as string;
                assert.equal(emulator.imports.get(id)?.importStatus, "succeeded");
                const refreshed = await stack.refresh();
                assert.deepEqual(refreshed.summary.resourceChanges, { same: 2 });
                const destroyed = await stack.destroy();
                assert.deepEqual(destroyed.summary.resourceChanges, { delete: 2 });
                assert.equal(emulator.imports.get(id), undefined, "purged by destroy");
            } finally {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack(which).catch(() => undefined);
            }
        });
    }
});
