// The @pulumi/pulumi versions the package supports: its peer range's floor and the newest 3.x published, each
// installed by npm with the packed package in a user's project (no links to this repository), the program
// type-checked against that SDK's declarations and run by the real CLI. The provider's settings come only from
// `cloudpc:*` stack config, so an import proves that SDK's dynamic-provider host called configure.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { isolatedStackEnv, provisionedPulumi, providerConfig } from "../../scripts/pulumi/automation";
import { inputs } from "../fixtures";

const ROOT = path.resolve(__dirname, "../..");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    peerDependencies: Record<string, string>;
};
const RANGE = PKG.peerDependencies["@pulumi/pulumi"]!;

/**
 * npm as a user runs it. The tests trust only the emulator's CA (NODE_EXTRA_CA_CERTS); the registry may need the
 * machine's (scripts/test.sh keeps it in CLOUDPC_MACHINE_EXTRA_CA_CERTS). npm_* variables of the outer npm are
 * dropped so this project's npm config is the user's.
 */
function npm(args: string[], cwd: string): string {
    const env: NodeJS.ProcessEnv = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
    );
    if (process.env.CLOUDPC_MACHINE_EXTRA_CA_CERTS)
        env.NODE_EXTRA_CA_CERTS = process.env.CLOUDPC_MACHINE_EXTRA_CA_CERTS;
    else delete env.NODE_EXTRA_CA_CERTS;
    env.npm_config_loglevel = "error";
    const r = spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0)
        throw new Error(`npm ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
}

/** The lowest version `^x.y.z` admits. */
function floorOf(range: string): string {
    const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
    if (!m) throw new Error(`peerDependencies["@pulumi/pulumi"] is '${range}': this test reads a caret range`);
    return m[1]!;
}

describe(`package: @pulumi/pulumi ${RANGE}, at its floor and at the newest published`, function () {
    this.timeout(1_200_000);
    let work: string;
    let tarball: string;
    let emulator: Emulator;

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-sdk-range-"));
        npm(["run", "build"], ROOT);
        const packed = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT));
        tarball = path.join(work, (packed as { filename: string }[])[0]!.filename);
        emulator = await startEmulator({ importDurationMs: 300 });
    });
    after(async () => {
        await emulator?.close();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("below the floor, npm refuses the install rather than nest a second SDK", () => {
        const project = path.join(work, "project-below");
        fs.mkdirSync(project);
        fs.writeFileSync(
            path.join(project, "package.json"),
            JSON.stringify({
                name: "sdk-below",
                private: true,
                dependencies: { "@pulumi/pulumi": "3.138.0", [PKG.name]: `file:${tarball}` },
            }),
        );
        assert.throws(
            () => npm(["install", "--no-audit", "--no-fund"], project),
            (err: Error) => /ERESOLVE/.test(err.message) && err.message.includes(`@pulumi/pulumi@"${RANGE}"`),
        );
        assert.equal(fs.existsSync(path.join(project, "node_modules", PKG.name)), false);
    });

    const versions: [string, () => string][] = [
        ["the floor", () => floorOf(RANGE)],
        [
            "the newest",
            () => {
                const listed = JSON.parse(npm(["view", `@pulumi/pulumi@${RANGE}`, "version", "--json"], work));
                return Array.isArray(listed) ? listed[listed.length - 1] : listed;
            },
        ],
    ];

    for (const [label, versionOf] of versions) {
        it(`${label}: npm install keeps one SDK, the program type-checks, up with stack config, no drift, destroy`, async () => {
            const version = versionOf();
            console.log(`      @pulumi/pulumi ${version}`);
            const project = path.join(work, `project-${version}`);
            fs.mkdirSync(project);
            fs.writeFileSync(
                path.join(project, "package.json"),
                JSON.stringify({
                    name: "sdk-range",
                    private: true,
                    dependencies: { "@pulumi/pulumi": version, [PKG.name]: `file:${tarball}` },
                }),
            );
            npm(["install", "--no-audit", "--no-fund"], project);

            // One copy: the package uses the project's SDK (a second copy would register resources nowhere).
            const copies = spawnSync(
                "find",
                [path.join(project, "node_modules"), "-path", "*/@pulumi/pulumi/package.json"],
                {
                    encoding: "utf8",
                },
            )
                .stdout.trim()
                .split("\n");
            assert.deepEqual(copies, [path.join(project, "node_modules", "@pulumi", "pulumi", "package.json")]);

            // What a TypeScript user compiles: the package's declarations against this SDK's.
            fs.writeFileSync(
                path.join(project, "check.ts"),
                [
                    `import * as pulumi from "@pulumi/pulumi";`,
                    `import { CloudPcImportedSnapshot, CloudPcSnapshot } from "${PKG.name}";`,
                    `const args = ${JSON.stringify(inputs())};`,
                    `const s = new CloudPcImportedSnapshot("s", { ...args, assignedUserId: pulumi.output("u") });`,
                    `export const id: pulumi.Output<string> = s.snapshotId;`,
                    `export const kind: typeof CloudPcSnapshot = CloudPcSnapshot;`,
                ].join("\n"),
            );
            const tsc = spawnSync(
                process.execPath,
                [
                    path.join(ROOT, "node_modules", "typescript", "bin", "tsc"),
                    "--noEmit",
                    "--strict",
                    "--module",
                    "commonjs",
                    "--moduleResolution",
                    "node",
                    "--target",
                    "es2022",
                    "--skipLibCheck",
                    "--typeRoots",
                    path.join(ROOT, "node_modules", "@types"),
                    "--types",
                    "node",
                    "check.ts",
                ],
                { cwd: project, encoding: "utf8" },
            );
            assert.equal(tsc.status, 0, `tsc against @pulumi/pulumi ${version}:\n${tsc.stdout}${tsc.stderr}`);

            fs.writeFileSync(
                path.join(project, "Pulumi.yaml"),
                "name: sdk-range\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
            );
            fs.writeFileSync(
                path.join(project, "index.js"),
                [
                    `const { CloudPcImportedSnapshot } = require("${PKG.name}");`,
                    `const snap = new CloudPcImportedSnapshot("range", ${JSON.stringify(inputs())});`,
                    `exports.snapshotId = snap.snapshotId;`,
                    `exports.sdk = require("@pulumi/pulumi/package.json").version;`,
                ].join("\n"),
            );
            const backend = fs.mkdtempSync(path.join(work, "backend-"));
            const stack = await LocalWorkspace.createOrSelectStack(
                { workDir: project, stackName: "range" },
                { pulumiCommand: await provisionedPulumi(), envVars: isolatedStackEnv(backend) },
            );
            try {
                await stack.setAllConfig(providerConfig(emulator));
                const up = await stack.up();
                assert.deepEqual(up.summary.resourceChanges, { create: 2 });
                assert.equal(up.outputs.sdk!.value, version, "the program ran on the project's SDK");
                const id = up.outputs.snapshotId!.value as string;
                assert.equal(emulator.imports.get(id)?.importStatus, "succeeded", "imported with stack config only");

                const preview = await stack.preview({ expectNoChanges: true });
                assert.deepEqual(preview.changeSummary, { same: 2 });
                const destroyed = await stack.destroy();
                assert.deepEqual(destroyed.summary.resourceChanges, { delete: 2 });
                assert.equal(emulator.imports.get(id), undefined, "purged by destroy");
            } finally {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack("range").catch(() => undefined);
            }
        });
    }
});
