// The README's first command, `bash scripts/demo.sh`, end to end: it must succeed, print the quickstart's outputs,
// and leave no process (emulator, provider plugin) and no state behind.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEMO_TIMEOUT_MS = 180_000;

interface DemoRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
    pid: number;
    timedOut: boolean;
}

/** The provider plugin launcher appends one line per start (with its pid) here. */
const pluginLog = path.join(
    fs.mkdtempSync(path.join(require("node:os").tmpdir(), "cloudpc-demo-test-")),
    "plugins.log",
);

/** Runs the demo in its own process group, so a timeout can stop everything it started. */
function runDemo(): Promise<DemoRun> {
    return new Promise((resolve, reject) => {
        const env = { ...process.env, CLOUDPC_PULUMI_PLUGIN_LOG: pluginLog };
        const child = spawn("bash", [path.join(ROOT, "scripts/demo.sh")], {
            cwd: ROOT,
            env,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        let timedOut = false;
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => {
            timedOut = true;
            try {
                process.kill(-child.pid!, "SIGTERM");
                setTimeout(() => {
                    try {
                        process.kill(-child.pid!, "SIGKILL");
                    } catch {
                        /* gone */
                    }
                }, 10_000).unref();
            } catch {
                /* gone */
            }
        }, DEMO_TIMEOUT_MS);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, output, pid: child.pid!, timedOut });
        });
    });
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): string[] {
    if (!fs.existsSync("/proc")) return [];
    const found: string[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
            if (cmd.includes(needle)) found.push(`${entry}: ${cmd}`);
        } catch {
            /* exited meanwhile */
        }
    }
    return found;
}

describe("demo: bash scripts/demo.sh", function () {
    this.timeout(DEMO_TIMEOUT_MS + 20_000);

    it("imports the quickstart snapshot in the emulator, reports no changes on the second up, and leaves nothing running", async () => {
        const run = await runDemo();
        const context = `\n---- demo output ----\n${run.output}`;
        assert.ok(!run.timedOut, `the demo did not finish within ${DEMO_TIMEOUT_MS / 1000}s${context}`);
        assert.equal(run.code, 0, `the demo exited with ${run.code ?? run.signal}${context}`);

        // `pulumi up` prints the outputs (`snapshotId : "<guid>"`), `pulumi stack output` prints them as a table.
        const snapshotIds = [...run.output.matchAll(/^\s*snapshotId\s*: "([^"]+)"$/gm)].map((m) => m[1]!);
        assert.ok(snapshotIds.length >= 2, `expected the outputs of both ups${context}`);
        for (const id of snapshotIds) assert.match(id, GUID);
        assert.equal(
            new Set(snapshotIds).size,
            1,
            `the second up must keep the first import: ${snapshotIds.join(", ")}`,
        );
        assert.match(run.output, new RegExp(`^\\s*snapshotId\\s+${snapshotIds[0]}$`, "m"), "pulumi stack output");
        assert.match(run.output, /^\s*importStatus\s*: "succeeded"$/m);
        assert.match(run.output, /^Outputs:$/m);
        assert.match(run.output, /^\s*\+ 2 created$/m);
        assert.match(run.output, /^\s*2 unchanged$/m);
        assert.match(run.output, /^\s*- 2 deleted$/m);
        assert.match(run.output, /0 Graph write\(s\) during this run/);
        assert.match(run.output, /imports it holds: none/);
        assert.doesNotMatch(run.output, /emulator-client-secret/, "the client secret was printed");

        // Nothing left running: the emulator, the provider plugins, anything started for this run.
        const emulatorPid = /emulator listening on \S+ \(pid (\d+)\)/.exec(run.output)?.[1];
        assert.ok(emulatorPid, `the demo did not print the emulator's pid${context}`);
        const pluginPids = [...fs.readFileSync(pluginLog, "utf8").matchAll(/ pid=(\d+) /g)].map((m) => Number(m[1]));
        assert.ok(pluginPids.length >= 3, `expected a provider plugin per pulumi command${context}`);
        for (const pid of [Number(emulatorPid), ...pluginPids])
            assert.ok(!alive(pid), `process ${pid} is still running after the demo`);
        const runDir = path.join(ROOT, ".state", `demo-${run.pid}`);
        assert.deepEqual(processesMentioning(`${runDir}/`), [], "processes of this demo run are still running");
        assert.ok(!fs.existsSync(runDir), `${runDir} was not removed`);
    });
});
