// The published package: `npm run build` → dist/, what `npm pack` ships, and the package as a user installs it.
// The serialized provider must keep working from the compiled package: the provider is built, loaded from dist,
// serialized like the SDK serializes it into `__provider` (the same pinned text as from the sources), and that text
// is run by @pulumi/pulumi's dynamic-provider host with no ts-node, in a project where the packed tarball is
// installed the way pnpm lays it out (the version in the folder name), against the Graph emulator: up, an upgrade
// of the package (the old version's folder gone), refresh and destroy.
import { strict as assert } from "node:assert";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { provisionedPulumi, providerConfig } from "../../scripts/pulumi/automation";
import { DynamicProviderProcess, serializeProvider } from "../harness/dynamic-provider";
import { MiniEngine, type ResourceState } from "../harness/engine";
import { inputs, OTHER_USER, USER } from "../fixtures";

const THIRD_USER = "c0ffee00-1234-4abc-8def-0123456789ab";

const ROOT = path.resolve(__dirname, "../..");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    types: string;
    files: string[];
    engines: Record<string, string>;
    exports: Record<string, string | Record<string, string>>;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
};
/** Where 0.1.0's serialized providers look for the handlers: kept there (test/integration/stored-provider.test.ts). */
const HANDLERS = "dist/provider/resources/imported-snapshot/handlers";
/** The stable entry point the serialized provider requires by the package's name (package.json "exports"). */
const ENTRY = "provider-handlers.js";
const CURRENT_TEXT = fs.readFileSync(
    path.join(__dirname, "..", "stored-providers", "current-imported-snapshot.txt"),
    "utf8",
);
const TEXT_0_1_0 = fs.readFileSync(
    path.join(__dirname, "..", "stored-providers", "0.1.0-imported-snapshot.txt"),
    "utf8",
);
/** Our dynamic-provider plugin launcher and its preload, shipped for users of a Pulumi CLI from pulumi.com (README). */
const LAUNCHER = "scripts/pulumi/bin/pulumi-resource-pulumi-nodejs";
const LAUNCHER_HOOK = "scripts/pulumi/ts-on-demand.js";
const LAUNCHER_FILES = [LAUNCHER, LAUNCHER_HOOK];
/** A key or certificate with its base64 body: the code that reads PEM files names the markers alone. */
const PEM_BLOCK = /-----BEGIN ([A-Z ]*(?:PRIVATE KEY|CERTIFICATE))-----\s*[A-Za-z0-9+/=\s]{40,}-----END \1-----/;

interface PackResult {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string; size: number }[];
}

function npm(args: string[], cwd = ROOT): string {
    // npm's own progress and notices go to stderr; the JSON we parse is on stdout.
    const r = spawnSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } });
    if (r.status !== 0)
        throw new Error(`npm ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
}

/** A plain node process: no ts-node, no mocha; `script` reads stdin as `input`. */
function plainNode(script: string, opts: { cwd: string; input?: string }): string {
    const r = spawnSync(process.execPath, ["-e", script], {
        cwd: opts.cwd,
        input: opts.input ?? "",
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, NODE_OPTIONS: "", TS_NODE_PROJECT: "" },
    });
    assert.equal(r.status, 0, `plain node failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return r.stdout;
}

describe("package: build, npm pack, and the installed package", function () {
    this.timeout(180_000);
    let packed: PackResult;
    let work: string;

    before(() => {
        const started = Date.now();
        npm(["run", "build"]);
        console.log(`      npm run build: ${((Date.now() - started) / 1000).toFixed(1)}s`);
        packed = (JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"])) as PackResult[])[0]!;
        work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-package-"));
    });
    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("ships only dist/provider and dist/emulator (JavaScript and declarations), its entry point, the plugin launcher, README, LICENSE and package.json", () => {
        const paths = packed.files.map((f) => f.path).sort();
        const extra = paths.filter(
            (p) =>
                !/^dist\/(provider|emulator)\/.+\.(js|d\.ts)$/.test(p) &&
                !["README.md", "LICENSE", "package.json", ENTRY, ...LAUNCHER_FILES].includes(p),
        );
        assert.deepEqual(extra, [], "unexpected files in the package");
        for (const needed of [
            "README.md",
            "LICENSE",
            "package.json",
            ENTRY,
            "dist/provider/index.js",
            "dist/provider/index.d.ts",
            "dist/provider/handlers.js",
            "dist/emulator/index.js",
            "dist/emulator/cli.js",
            `${HANDLERS}.js`,
            `${HANDLERS}.d.ts`,
            ...LAUNCHER_FILES,
        ]) {
            assert.ok(paths.includes(needed), `${needed} is missing from the package`);
        }
        const forbidden = paths.filter(
            (p) =>
                !LAUNCHER_FILES.includes(p) &&
                p !== ENTRY &&
                !p.startsWith("dist/emulator/") &&
                /(^|\/)(test|emulator|examples|scripts|\.state|\.emulator|\.tools)(\/|$)|\.(pem|key|crt|p12|pfx|env|tgz|map)$|(^|\/)\.npmrc$/.test(
                    p,
                ),
        );
        assert.deepEqual(forbidden, [], "tests, emulator sources, certificates, keys, state or secrets in the package");
        console.log(
            `      npm pack: ${paths.length} files, ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked`,
        );
    });

    it("package.json: main, types and exports point at built files; files, engines", () => {
        const shipped = new Set(packed.files.map((f) => f.path));
        assert.equal(PKG.main, "dist/provider/index.js");
        assert.equal(PKG.types, "dist/provider/index.d.ts");
        assert.ok(shipped.has(PKG.main) && shipped.has(PKG.types));
        assert.deepEqual(PKG.exports["."], {
            types: "./dist/provider/index.d.ts",
            default: "./dist/provider/index.js",
        });
        // The closure serializer names any module of an installed package it captures by an export path, so the
        // compiled files stay reachable (see the next tests).
        assert.equal(PKG.exports["./dist/provider/*"], "./dist/provider/*");
        // Serialized providers require this subpath by name: it is part of every stack's state.
        assert.equal(PKG.exports["./provider-handlers"], `./${ENTRY}`);
        assert.deepEqual(PKG.files, ["dist/provider/", "dist/emulator/", ENTRY, ...LAUNCHER_FILES]);
        // The emulator is its own export, for users' CI (emulator/README.md).
        assert.deepEqual(PKG.exports["./emulator"], {
            types: "./dist/emulator/index.d.ts",
            default: "./dist/emulator/index.js",
        });
        assert.equal(PKG.engines.node, ">=22");
    });

    it("the packed files hold no private key, certificate, secret or build-machine path", () => {
        const tarball = path.join(
            work,
            JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work]))[0].filename,
        );
        const unpacked = path.join(work, "unpacked");
        fs.mkdirSync(unpacked);
        execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
        const leaks: string[] = [];
        for (const f of packed.files) {
            const text = fs.readFileSync(path.join(unpacked, "package", f.path), "utf8");
            if (PEM_BLOCK.test(text)) leaks.push(`${f.path}: PEM block`);
            if (text.includes(ROOT)) leaks.push(`${f.path}: the build machine's path ${ROOT}`);
            if (/[?&]sig=[A-Za-z0-9%]{20,}/.test(text)) leaks.push(`${f.path}: a SAS signature`);
            if (/eyJ[\w-]{10,}\.[\w-]{10,}\./.test(text)) leaks.push(`${f.path}: a JWT`);
        }
        assert.deepEqual(leaks, []);
    });

    it("the built provider serializes to the same pinned text as the sources: no path of the build machine", async () => {
        const dist = require(path.join(ROOT, "dist/provider")) as typeof import("../../provider");
        const text = await serializeProvider(new dist.CloudPcImportedSnapshotProvider());
        assert.equal(text, CURRENT_TEXT);
    });

    describe("installed from the tarball in a Pulumi project", () => {
        let project: string;
        let emulator: Emulator;

        let tarball: string;
        const storeOf = (version: string) =>
            path.join(project, "node_modules", ".pnpm", `${PKG.name.replace("/", "+")}@${version}`);

        /**
         * Installs the packed package as pnpm lays it out: its files in node_modules/.pnpm/<name>@<version>/
         * node_modules/<name>, its own dependencies linked beside it (and nowhere else: pnpm is strict), and
         * node_modules/<name> a relative link to that folder. Another version is an upgrade: the link moves.
         */
        function installAs(version: string): string {
            const store = path.join(storeOf(version), "node_modules");
            const real = path.join(store, PKG.name);
            fs.mkdirSync(real, { recursive: true });
            execFileSync("tar", ["-xzf", tarball, "-C", real, "--strip-components=1"]);
            const manifest = path.join(real, "package.json");
            fs.writeFileSync(
                manifest,
                JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, "utf8")), version }, null, 2),
            );
            // pnpm links a peer dependency beside the package too (the project's own copy).
            for (const dep of [...Object.keys(PKG.dependencies), ...Object.keys(PKG.peerDependencies)]) {
                fs.mkdirSync(path.dirname(path.join(store, dep)), { recursive: true });
                fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(store, dep), "dir");
            }
            const top = path.join(project, "node_modules", PKG.name);
            if (fs.existsSync(top)) fs.unlinkSync(top); // the link to the version before
            fs.mkdirSync(path.dirname(top), { recursive: true });
            fs.symlinkSync(path.relative(path.dirname(top), real), top, "dir");
            return real;
        }

        before(async () => {
            // A user's project: the package installed by pnpm, and the project's own direct dependencies (links to
            // this repository's copies).
            project = path.join(work, "project");
            fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
            tarball = path.join(
                work,
                fs.readdirSync(work).find((f) => f.endsWith(".tgz")) ??
                    JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work]))[0].filename,
            );
            installAs(PKG.version);
            for (const dep of ["@pulumi/pulumi", "@types/node", "@pulumi/azure-native", "yaml"]) {
                const link = path.join(project, "node_modules", dep);
                fs.mkdirSync(path.dirname(link), { recursive: true });
                fs.symlinkSync(path.join(ROOT, "node_modules", dep), link, "dir");
            }
            fs.writeFileSync(
                path.join(project, "package.json"),
                JSON.stringify({ name: "user-stack", private: true, dependencies: { [PKG.name]: "*" } }),
            );
            emulator = await startEmulator({ importDurationMs: 300 });
        });
        after(async () => {
            await emulator?.close();
        });
        beforeEach(() => emulator.imports.clear());

        /** The provider serialized in the project from the installed package, as the SDK does in a user's program. */
        function serializedFromPackage(): { text: string; main: string; tsNode: boolean } {
            return JSON.parse(
                plainNode(
                    `
                const { CloudPcImportedSnapshotProvider } = require("${PKG.name}");
                const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
                const provider = new CloudPcImportedSnapshotProvider();
                serializeFunction(() => provider, { allowSecrets: true }).then((sf) => process.stdout.write(JSON.stringify({
                    text: sf.text, main: require.resolve("${PKG.name}"), tsNode: require.extensions[".ts"] !== undefined,
                })));`,
                    { cwd: project },
                ),
            ) as { text: string; main: string; tsNode: boolean };
        }

        /** The dynamic-provider host as the engine starts it for one run: in the project directory, no ts-node. */
        function providerProcess(): Promise<DynamicProviderProcess> {
            return DynamicProviderProcess.start({
                cwd: project,
                typescript: false,
                env: { ...emulator.env(), CLOUDPC_POLL_INTERVAL_SECONDS: "0.1" },
            });
        }

        it("serializes from node_modules to the pinned text and runs through the dynamic-provider host", async () => {
            const out = serializedFromPackage();
            assert.equal(out.main, path.join(storeOf(PKG.version), "node_modules", PKG.name, PKG.main));
            assert.equal(out.tsNode, false);
            assert.equal(out.text, CURRENT_TEXT, "no path of the install in the provider text");

            const provider = await providerProcess();
            try {
                await provider.configure({});
                const engine = new MiniEngine(provider, out.text);
                await engine.up([{ name: "from-package", inputs: inputs() }]);
                const res = engine.state.get("from-package")!;
                assert.equal(res.outputs.importStatus, "succeeded");
                assert.equal(emulator.imports.get(res.id)?.importStatus, "succeeded");
                await engine.destroy();
                assert.equal(emulator.imports.list().length, 0);
            } finally {
                await provider.close();
            }
        });

        it("the emulator is an export of the installed package: it serves HTTPS with its CA in the user's cache", () => {
            const cache = fs.mkdtempSync(path.join(work, "xdg-cache-"));
            const out = JSON.parse(
                plainNode(
                    `
                process.env.XDG_CACHE_HOME = ${JSON.stringify(cache)};
                const { startEmulator } = require("${PKG.name}/emulator");
                startEmulator({}).then(async (e) => {
                    const env = e.env();
                    await e.close();
                    process.stdout.write(JSON.stringify({ env, from: require.resolve("${PKG.name}/emulator") }));
                });`,
                    { cwd: project },
                ),
            ) as { env: Record<string, string>; from: string };
            assert.match(out.env.CLOUDPC_GRAPH_ENDPOINT, /^https:\/\/127\.0\.0\.1:\d+$/);
            assert.ok(out.from.includes(path.join("node_modules", PKG.name, "dist", "emulator")), out.from);
            assert.ok(
                out.env.NODE_EXTRA_CA_CERTS.startsWith(path.join(cache, "cloudpc-emulator", "certs")),
                `the CA is kept in the user's cache, not in node_modules: ${out.env.NODE_EXTRA_CA_CERTS}`,
            );
        });

        it("up, an upgrade of the package (the old version's folder gone), refresh and destroy", async () => {
            // Three resources as stacks hold them: one from this version, two from 0.1.0, whose text required the
            // handlers by a project-relative path: through node_modules/<name> (npm), or through pnpm's versioned
            // folder (what 0.1.0 wrote under pnpm: it took the real path of its own files).
            const old = PKG.version;
            const viaLink = TEXT_0_1_0.replace('"./provider/', `"./node_modules/${PKG.name}/dist/provider/`);
            const viaStore = TEXT_0_1_0.replace(
                '"./provider/',
                `"./${path.relative(project, path.join(storeOf(old), "node_modules", PKG.name))}/dist/provider/`,
            );
            assert.ok(viaLink.includes(HANDLERS) && viaStore.includes(`.pnpm/${PKG.name.replace("/", "+")}@${old}/`));
            const state = new Map<string, ResourceState>();
            let provider = await providerProcess();
            try {
                await provider.configure({});
                for (const [name, text, user] of [
                    ["now", CURRENT_TEXT, USER],
                    ["link", viaLink, OTHER_USER],
                    ["store", viaStore, THIRD_USER],
                ]) {
                    const engine = new MiniEngine(provider, text);
                    await engine.up([{ name, inputs: inputs({ assignedUserId: user }) }]);
                    state.set(name, engine.state.get(name)!);
                }
            } finally {
                await provider.close();
            }

            const next = "0.1.1-upgrade";
            installAs(next);
            fs.rmSync(storeOf(old), { recursive: true, force: true }); // pnpm prunes the version no longer used
            const upgraded = serializedFromPackage();
            assert.equal(upgraded.main, path.join(storeOf(next), "node_modules", PKG.name, PKG.main));
            assert.equal(upgraded.text, CURRENT_TEXT, "the upgrade serializes the same text: nothing to rewrite");

            provider = await providerProcess();
            try {
                await provider.configure({});
                const engine = new MiniEngine(provider, upgraded.text);
                for (const [name, res] of state) engine.state.set(name, res);
                const desired = [
                    ["now", USER],
                    ["link", OTHER_USER],
                    ["store", THIRD_USER],
                ].map(([name, user]) => ({ name: name!, inputs: inputs({ assignedUserId: user }) }));
                // refresh reads through each resource's stored text: this version's, and 0.1.0's through the link.
                const linkOnly = new MiniEngine(provider, upgraded.text);
                for (const name of ["now", "link"]) linkOnly.state.set(name, engine.state.get(name)!);
                assert.deepEqual(
                    (await linkOnly.refresh()).map((s) => s.op),
                    ["same", "same"],
                );
                // 0.1.0's text naming the removed folder cannot read; the next up rewrites it (and 0.1.0's via the
                // link) with an update that calls no Graph API: the README tells pnpm users to run it first.
                await assert.rejects(
                    provider.read(state.get("store")!.id, state.get("store")!.urn, state.get("store")!.outputs),
                    /Cannot find module/,
                );
                emulator.resetStats();
                assert.deepEqual(
                    (await engine.up(desired)).map((s) => s.op),
                    ["same", "update", "update"],
                );
                assert.equal(emulator.stats().writes, 0, "the rewrite sent nothing to Graph");
                for (const res of engine.state.values()) assert.equal(res.outputs.__provider, CURRENT_TEXT);
                assert.deepEqual(
                    (await engine.refresh()).map((s) => s.op),
                    ["same", "same", "same"],
                );
                await engine.destroy();
                assert.equal(emulator.imports.list().length, 0, "every import purged");
            } finally {
                await provider.close();
            }
        });

        it("through the real CLI and language host: up, an upgrade of the package, refresh and destroy", async function () {
            this.timeout(300_000);
            // The user's own program (JavaScript, so the language host needs no TypeScript), run by `pulumi up` in
            // the project directory; the engine starts our plugin launcher there.
            fs.writeFileSync(
                path.join(project, "Pulumi.yaml"),
                "name: user-stack\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
            );
            fs.writeFileSync(
                path.join(project, "index.js"),
                [
                    `const pulumi = require("@pulumi/pulumi");`,
                    `const { CloudPcImportedSnapshot } = require("${PKG.name}");`,
                    `const snap = new CloudPcImportedSnapshot("from-pnpm", ${JSON.stringify(inputs())});`,
                    `exports.snapshotId = snap.snapshotId;`,
                    `exports.installed = require("${PKG.name}/package.json").version;`,
                ].join("\n"),
            );
            const first = "0.3.0-cli-a",
                second = "0.3.0-cli-b";
            installAs(first);
            const backend = fs.mkdtempSync(path.join(work, "backend-"));
            const stack = await LocalWorkspace.createOrSelectStack(
                { workDir: project, stackName: "pnpm" },
                {
                    pulumiCommand: await provisionedPulumi(),
                    envVars: {
                        PULUMI_BACKEND_URL: `file://${backend}`,
                        PULUMI_CONFIG_PASSPHRASE: "cloudpc-package-test",
                        PULUMI_SKIP_UPDATE_CHECK: "true",
                        CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
                        NODE_OPTIONS: "--disable-warning=ExperimentalWarning",
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
                assert.deepEqual(up.summary.resourceChanges, { create: 2 });
                assert.equal(up.outputs.installed!.value, first);
                const id = up.outputs.snapshotId!.value as string;
                assert.equal(emulator.imports.get(id)?.importStatus, "succeeded");
                const stored = (await stack.exportStack()).deployment.resources.find(
                    (r: { id?: string }) => r.id === id,
                );
                assert.equal(stored.type, "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot");
                assert.equal(stored.outputs.__provider, CURRENT_TEXT, "no path of the install in the stored text");

                installAs(second);
                fs.rmSync(storeOf(first), { recursive: true, force: true }); // pnpm prunes the version no longer used
                emulator.resetStats();
                const preview = await stack.preview({ expectNoChanges: true });
                assert.deepEqual(preview.changeSummary, { same: 2 });
                const refreshed = await stack.refresh();
                assert.deepEqual(refreshed.summary.resourceChanges, { same: 2 });
                const again = await stack.up();
                assert.deepEqual(again.summary.resourceChanges, { same: 2 });
                assert.equal(again.outputs.installed!.value, second);
                assert.equal(emulator.stats().writes, 0, "the upgrade sent nothing to Graph");
                const destroyed = await stack.destroy();
                assert.deepEqual(destroyed.summary.resourceChanges, { delete: 2 });
                assert.equal(emulator.imports.get(id), undefined, "purged by destroy after the upgrade");
            } finally {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack("pnpm").catch(() => undefined);
            }
        });

        it("the shipped plugin launcher is executable and runs the provider from the project, with its memory flag", async () => {
            const launcher = path.join(project, "node_modules", PKG.name, LAUNCHER);
            assert.ok(
                (fs.statSync(launcher).mode & 0o111) !== 0,
                "the launcher lost its executable bit in the tarball",
            );
            const provider = await DynamicProviderProcess.start({
                cwd: project,
                launcher,
                env: {
                    ...emulator.env(),
                    CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
                    CLOUDPC_NODE: process.execPath,
                    CLOUDPC_DYNAMIC_PROVIDER_SCRIPT: "",
                },
            });
            try {
                const args = fs.readFileSync(`/proc/${provider.pid}/cmdline`, "utf8").split("\0");
                assert.ok(args.includes("--optimize-for-size"), args.join(" "));
                assert.ok(
                    args.includes(
                        path.join(fs.realpathSync(path.join(project, "node_modules", PKG.name)), LAUNCHER_HOOK),
                    ),
                    args.join(" "),
                );
                // The dynamic-provider host it found by walking up from the project directory.
                assert.ok(
                    args.some((a) =>
                        a.endsWith(
                            path.join("node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js"),
                        ),
                    ),
                    args.join(" "),
                );
                await provider.configure({});
                const engine = new MiniEngine(provider, serializedFromPackage().text);
                await engine.up([{ name: "via-launcher", inputs: inputs() }]);
                assert.equal(engine.state.get("via-launcher")!.outputs.importStatus, "succeeded");
                await engine.destroy();
                assert.equal(emulator.imports.list().length, 0);
            } finally {
                await provider.close();
            }
        });

        it("every compiled module resolves through the exports map (how the closure serializer names them)", () => {
            const modules = packed.files
                .map((f) => f.path)
                .filter((p) => p.startsWith("dist/provider/") && p.endsWith(".js"));
            const out = JSON.parse(
                plainNode(
                    `
                const { getModuleFromPath } = require("@pulumi/pulumi/runtime/closure/package");
                const pkg = require("${PKG.name}/package.json");
                const bad = [];
                for (const m of ${JSON.stringify(modules)}) {
                    try {
                        const name = getModuleFromPath("${PKG.name}/" + m, pkg);
                        if (require.resolve(name) !== require.resolve("./node_modules/${PKG.name}/" + m)) bad.push(m + " -> " + name);
                    } catch (e) { bad.push(m + ": " + e.message); }
                }
                process.stdout.write(JSON.stringify(bad));`,
                    { cwd: project },
                ),
            ) as string[];
            assert.deepEqual(out, []);
        });

        it("the examples, as a user copies them, type-check against the packed declarations", async () => {
            // Each example's index.ts with the import a user writes, plus a consumer under moduleResolution node16
            // (which reads the exports map's "types" condition instead of the "types" field).
            const consumer = path.join(project, "consumers");
            fs.mkdirSync(consumer, { recursive: true });
            const files: string[] = [];
            for (const name of fs.readdirSync(path.join(ROOT, "examples"))) {
                const dir = path.join(ROOT, "examples", name);
                if (!fs.existsSync(path.join(dir, "tsconfig.json"))) continue;
                const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")) as {
                    files: string[];
                };
                fs.mkdirSync(path.join(consumer, name));
                for (const file of tsconfig.files) {
                    const source = fs.readFileSync(path.join(dir, file), "utf8");
                    const rewritten = source.replace(/from "\.\.\/\.\.\/provider"/g, `from "${PKG.name}"`);
                    assert.ok(
                        !rewritten.includes("../../provider"),
                        `${name}/${file} imports the library some other way`,
                    );
                    fs.writeFileSync(path.join(consumer, name, file), rewritten);
                    files.push(path.join(consumer, name, file));
                }
            }
            fs.writeFileSync(
                path.join(consumer, "node16.ts"),
                [
                    `import * as pulumi from "@pulumi/pulumi";`,
                    `import { CloudPcImportedSnapshot, type CloudPcImportedSnapshotArgs } from "${PKG.name}";`,
                    `const args: CloudPcImportedSnapshotArgs = { assignedUserId: "93aff428-61f2-467f-a879-1102af6fd4a8", sourceFiles: [{ sasUrl: pulumi.secret("https://a.blob.core.windows.net/c/d.vhd?sig=x") }] };`,
                    `export const id: pulumi.Output<string> = new CloudPcImportedSnapshot("x", args).snapshotId;`,
                ].join("\n"),
            );
            const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
            const common = [
                "--noEmit",
                "--strict",
                "--skipLibCheck",
                "--target",
                "ES2022",
                "--types",
                "node",
                "--esModuleInterop",
            ];
            const runs = (
                [
                    [
                        "examples (module commonjs, moduleResolution node)",
                        [...common, "--module", "commonjs", "--moduleResolution", "node", ...files],
                    ],
                    [
                        "consumer (module node16, moduleResolution node16)",
                        [
                            ...common,
                            "--module",
                            "node16",
                            "--moduleResolution",
                            "node16",
                            path.join(consumer, "node16.ts"),
                        ],
                    ],
                ] as const
            ).map(
                ([label, args]) =>
                    new Promise<void>((resolve, reject) => {
                        const child = spawn(process.execPath, [tsc, ...args], {
                            cwd: project,
                            stdio: ["ignore", "pipe", "pipe"],
                        });
                        let out = "";
                        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
                        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
                        child.on("error", reject);
                        child.on("close", (code) =>
                            code === 0
                                ? resolve()
                                : reject(new Error(`${label} does not type-check against the package:\n${out}`)),
                        );
                    }),
            );
            await Promise.all(runs);
        });
    });
});
