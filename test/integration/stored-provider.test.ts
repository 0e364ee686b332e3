// What each resource's state holds of the provider is a contract with every stack already deployed: the serialized
// provider text (`__provider`), the entry point it requires by the package's name, and the handlers it finds there.
// These tests pin all three, so a refactor cannot break `pulumi refresh`/`destroy` of an existing stack.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudPcImportedSnapshotProvider, CloudPcSnapshotProvider } from "../../provider";
import { HANDLERS_ENTRY } from "../../provider/runtime/lazy-provider";
import { REPO_ROOT, serializeProvider } from "../harness/dynamic-provider";
import { inputs } from "../fixtures";

const STORED = path.join(__dirname, "..", "stored-providers");
const read = (file: string) => fs.readFileSync(path.join(STORED, file), "utf8");
const METHODS = ["configure", "check", "diff", "create", "update", "read", "remove"];

/** Runs `script` in a fresh node process (ts-on-demand preloaded, as our plugin launcher does); returns its stdout. */
function node(script: string, cwd: string, input = ""): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(
        process.execPath,
        ["-r", path.join(REPO_ROOT, "scripts", "pulumi", "ts-on-demand.js"), "-e", script],
        {
            cwd,
            input,
            encoding: "utf8",
            timeout: 60_000,
            env: { ...process.env, NODE_OPTIONS: "", TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json") },
        },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Evaluates a provider text as the dynamic-provider host does (require-from-string) and runs check() twice. */
const CHECK_SCRIPT = `
    const requireFromString = require(require.resolve("require-from-string", { paths: [${JSON.stringify(require.resolve("@pulumi/pulumi"))}] }));
    const provider = requireFromString(require("node:fs").readFileSync(0, "utf8")).handler();
    Promise.all([provider.check({}, ${JSON.stringify(inputs())}), provider.check({}, ${JSON.stringify(inputs({ assignedUserId: "bob" }))})])
        .then(([good, bad]) => process.stdout.write(JSON.stringify({ good: good.failures, bad: bad.failures.map((f) => f.property) })));`;

describe("stored provider: the entry point, the serialized text, and 0.1.0's handler paths", () => {
    it("the entry point is @cloudpc/pulumi-snapshots/provider-handlers, exported by package.json", () => {
        assert.equal(HANDLERS_ENTRY, "@cloudpc/pulumi-snapshots/provider-handlers");
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.equal(pkg.exports["./provider-handlers"], "./provider-handlers.js");
        assert.ok(pkg.files.includes("provider-handlers.js"));
    });

    it("the entry point gives each resource's handlers, every method the provider text calls", () => {
        // Resolved by the package's own name from this repository's root, as a provider process started here does.
        const entry = require(require.resolve(HANDLERS_ENTRY, { paths: [REPO_ROOT] }));
        assert.deepEqual(Object.keys(entry).sort(), ["cloudPcSnapshot", "importedSnapshot"]);
        for (const kind of ["importedSnapshot", "cloudPcSnapshot"]) {
            const handlers = entry[kind]();
            for (const m of METHODS) assert.equal(typeof handlers[m], "function", `${kind}.${m}`);
        }
    });

    it("the serialized text is pinned, holds no path, and is the same for both resources but their kind", async () => {
        const imported = await serializeProvider(new CloudPcImportedSnapshotProvider());
        const snapshot = await serializeProvider(new CloudPcSnapshotProvider());
        // A change here changes every stack's stored text (an update with no Graph call on their next up) and must
        // keep working for texts already stored: update these files only on purpose, and keep the old ones working.
        assert.equal(imported, read("current-imported-snapshot.txt"));
        assert.equal(snapshot, read("current-cloud-pc-snapshot.txt"));
        assert.equal(imported.replace('kind: "importedSnapshot"', 'kind: "cloudPcSnapshot"'), snapshot);
        for (const text of [imported, snapshot]) {
            assert.ok(text.includes(`entry: "${HANDLERS_ENTRY}"`));
            assert.ok(
                !text.includes(REPO_ROOT) && !text.includes(os.homedir()) && !text.includes("node_modules"),
                text,
            );
            assert.ok(!/["'`]\.{0,2}\//.test(text), `a path in the provider text:\n${text}`);
            assert.ok(text.length < 3_072, `${text.length} bytes`);
        }
    });

    it("the exported providers work in-process, called directly, from the repository root and from elsewhere", async () => {
        const imported = await new CloudPcImportedSnapshotProvider().check!({}, inputs({ assignedUserId: "bob" }));
        assert.deepEqual(
            imported.failures!.map((f) => f.property),
            ["assignedUserId"],
        );
        const snapshot = await new CloudPcSnapshotProvider().check!({}, { cloudPcId: "not-a-guid" });
        assert.deepEqual(
            snapshot.failures!.map((f) => f.property),
            ["cloudPcId"],
        );
        // A script run outside any project: the package is found from the requiring module itself.
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-inprocess-"));
        try {
            const r = node(
                `
                const { CloudPcImportedSnapshotProvider } = require(${JSON.stringify(path.join(REPO_ROOT, "provider"))});
                new CloudPcImportedSnapshotProvider().check({}, ${JSON.stringify(inputs({ assignedUserId: "bob" }))})
                    .then((res) => process.stdout.write(JSON.stringify(res.failures.map((f) => f.property))));`,
                elsewhere,
            );
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), ["assignedUserId"]);
        } finally {
            fs.rmSync(elsewhere, { recursive: true, force: true });
        }
    });

    it("the serialized text runs from the repository root and from a project below it (the examples)", () => {
        for (const cwd of [REPO_ROOT, path.join(REPO_ROOT, "examples", "fleet")]) {
            const r = node(CHECK_SCRIPT, cwd, read("current-imported-snapshot.txt"));
            assert.equal(r.status, 0, `${cwd}: ${r.stderr}`);
            assert.deepEqual(JSON.parse(r.stdout), { good: [], bad: ["assignedUserId"] }, cwd);
        }
    });

    it("in a directory without the package, it fails naming the package", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-noproject-"));
        try {
            const r = node(CHECK_SCRIPT, empty, read("current-imported-snapshot.txt"));
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /Cannot find module '@cloudpc\/pulumi-snapshots\/provider-handlers'/);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("0.1.0's provider texts still find their handlers (kept at the paths those texts require)", () => {
        for (const [file, dir] of [
            ["0.1.0-imported-snapshot.txt", "imported-snapshot"],
            ["0.1.0-cloud-pc-snapshot.txt", "cloud-pc-snapshot"],
        ]) {
            const text = read(file);
            assert.ok(text.includes(`{path: "./provider/resources/${dir}/handlers"}`), file);
            // Installed, 0.1.0 required ./node_modules/@cloudpc/pulumi-snapshots/dist/provider/resources/<dir>/handlers:
            // the compiled form of the same file (test/e2e/package.test.ts runs it from an installed package).
            assert.ok(fs.existsSync(path.join(REPO_ROOT, "provider", "resources", dir, "handlers.ts")), dir);
        }
        const r = node(CHECK_SCRIPT, REPO_ROOT, read("0.1.0-imported-snapshot.txt"));
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { good: [], bad: ["assignedUserId"] });
    });
});
