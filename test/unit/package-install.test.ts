// Installing the package must change nothing outside the user's project: no lifecycle script runs on install, no
// executable is linked onto PATH, and the README's Install section does not ask the user to change PATH. The plugin
// launcher the package ships is opt-in (docs/BENCHMARKS.md), never installed by default.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    bin?: unknown;
    scripts?: Record<string, string>;
    files?: string[];
};

describe("package: nothing a user installs changes PATH or patches Pulumi by default", () => {
    it("has no install-time lifecycle scripts and no bin", () => {
        // npm runs these in the consumer's install (prepare: for git dependencies); prepack runs only on `npm pack`.
        for (const hook of ["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"]) {
            assert.equal(pkg.scripts?.[hook], undefined, `package.json scripts.${hook}`);
        }
        assert.equal(pkg.bin, undefined, "package.json bin links an executable onto the user's PATH");
    });

    it("the README's Install section asks for no PATH change; the launcher's opt-in section states its risks", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const install = readme.slice(
            readme.indexOf("## Install"),
            readme.indexOf("\n## ", readme.indexOf("## Install") + 1),
        );
        assert.ok(install.length > 0);
        assert.doesNotMatch(install, /export PATH|PATH=/);
        const bench = fs.readFileSync(path.join(ROOT, "docs", "BENCHMARKS.md"), "utf8");
        const optIn = bench.slice(bench.indexOf("## Opt-in: the package's plugin launcher"));
        assert.match(optIn, /every project in that shell/);
        assert.match(optIn, /Module\._load/);
        assert.match(optIn, /158-191 MB/);
    });
});
