// Property-based tests (fast-check) of the resource constructors: whatever a program passes (wrong types, wrong
// shapes, reserved or output names, functions, NaN, cycles, values inside Outputs, promises and secrets) ends as a
// check() failure naming the property, never as a throw in the constructor or in an apply; valid inputs pass and
// carry the hidden input naming the stack and URN. The properties run under pulumi.runtime.setMocks, which is
// process-wide, so in a child process (test/harness/constructor-mocks.ts); CLOUDPC_PROPERTY_RUNS sets the runs.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";

interface Result {
    property: string;
    ok: boolean;
    runs: number;
    message: string;
}

const ROOT = path.join(__dirname, "../..");
const RUNS = Number(process.env.CLOUDPC_PROPERTY_RUNS ?? 100);
const PROPERTIES = [
    "every valid input, however wrapped, passes check() and carries the hidden input",
    "every broken input, however wrapped, fails check() on the broken property",
    "anything under its input names ends in check() failures on those names",
    "functions, bigints, NaN, dates and cycles fail check() by name instead of vanishing",
    "reserved names in the arguments fail check() by name, never throw",
    "any arguments at all (not even an object) never throw",
];

function runHarness(): Promise<{ results: Result[]; code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "test/harness/constructor-mocks.ts"],
            {
                cwd: ROOT,
                env: { ...process.env, CLOUDPC_PROPERTY_RUNS: String(RUNS) },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let out = "",
            err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const results = out
                .split("\n")
                .filter((l) => l.startsWith("{"))
                .map((l) => JSON.parse(l) as Result);
            resolve({ results, code, stderr: err });
        });
    });
}

describe("resource constructors under mocks (fast-check)", function () {
    this.timeout(300_000);
    let run: { results: Result[]; code: number | null; stderr: string };

    before(async () => {
        run = await runHarness();
    });

    for (const resource of ["CloudPcImportedSnapshot", "CloudPcSnapshot"]) {
        describe(resource, () => {
            for (const property of PROPERTIES) {
                it(property, () => {
                    const result = run.results.find((r) => r.property === `${resource}: ${property}`);
                    assert.ok(
                        result,
                        `the harness reported no result for it (exit ${run.code}):\n${run.stderr.slice(-3000)}`,
                    );
                    assert.ok(result.ok, result.message);
                    assert.equal(result.runs, RUNS);
                });
            }
        });
    }

    it("the harness exits cleanly", () => {
        assert.equal(run.code, 0, run.stderr.slice(-3000));
    });
});
