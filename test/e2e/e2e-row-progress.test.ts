// Progress and warnings on the resource's own row, through the REAL Pulumi CLI (Automation API, inline programs, a
// local backend) against the Graph emulator: the provider sends them to the engine's Log service with the URN the
// resource class put in its hidden input (runtime/engine-log.ts), so the engine's events carry that URN.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { type DiagnosticEvent, type EngineEvent, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcSnapshot } from "../../provider";
import { importsProgram } from "../harness/inline-program";
import { testStack, type TestStack } from "../harness/e2e-stack";
import { inputs, USER } from "../fixtures";

const PROJECT = "cloudpc-e2e-rows";
const STACK = "rows";
const IMPORTED = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot";
const SNAPSHOT = "pulumi-nodejs:dynamic/cloudpc:Snapshot";

interface Run {
    output: string;
    events: EngineEvent[];
}

const diagnostics = (events: EngineEvent[]): DiagnosticEvent[] =>
    events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent] : []));

describe("e2e: the provider's progress and warnings on the resource's row (real Pulumi CLI)", function () {
    this.timeout(180_000);
    let emulator: Emulator;
    let stack: Stack;
    let test: TestStack | undefined;

    async function run(
        op: (o: { onOutput: (s: string) => void; onEvent: (e: EngineEvent) => void }) => Promise<unknown>,
    ): Promise<Run> {
        const r: Run = { output: "", events: [] };
        await op({ onOutput: (s) => (r.output += s), onEvent: (e) => r.events.push(e) });
        return r;
    }

    /** The URN the engine gave the resource of `type`, from its step events. */
    function urnOf(events: EngineEvent[], type: string): string {
        const urn = events.map((e) => e.resourcePreEvent?.metadata).find((m) => m?.type === type)?.urn;
        assert.ok(urn, `no step of a ${type}`);
        return urn;
    }

    before(async () => {
        emulator = await startEmulator({ importDurationMs: 600 });
        test = await testStack({ project: PROJECT, stack: STACK, target: emulator });
        stack = test.stack;
    });

    after(async () => {
        try {
            await test?.dispose();
        } finally {
            await emulator?.close();
        }
    });

    it("up of an import shows its progress as status lines on the import's row, none on the stack", async () => {
        const up = await run((o) => stack.up({ ...o, program: importsProgram({ a: inputs() }) }));
        const urn = urnOf(up.events, IMPORTED);
        const progress = diagnostics(up.events).filter((d) => /Import [0-9a-f-]+ for user /.test(d.message));
        assert.ok(progress.length > 0, up.output);
        for (const d of progress) {
            assert.equal(d.urn, urn, `on the import's row: ${d.message}`);
            assert.equal(d.severity, "info");
            assert.equal(d.ephemeral, true, "a status line, not a diagnostic kept for the summary");
        }
        assert.ok(progress.some((d) => new RegExp(`for user ${USER}: succeeded after`).test(d.message)));
        // The CLI shows them on the import's row, not as stack-level `[runtime]` lines.
        assert.match(
            up.output,
            new RegExp(`ImportedSnapshot a creating \\(\\d+s\\) Import \\S+ for user ${USER}: succeeded after`),
        );
        // The one stack-level line left is the process's note of which credential signs in (about no resource).
        assert.doesNotMatch(up.output, /\[runtime\] cloudpc: (?!signing in with)/);
        await stack.destroy();
    });

    it("destroy of a CloudPcSnapshot counts one warning, on the snapshot's row", async () => {
        const program: PulumiFn = async () => ({
            id: new CloudPcSnapshot("restore", { cloudPcId: randomUUID() }).snapshotId,
        });
        const up = await run((o) => stack.up({ ...o, program }));
        const urn = urnOf(up.events, SNAPSHOT);
        const destroyed = await run((o) => stack.destroy(o));
        const warnings = diagnostics(destroyed.events).filter((d) => d.severity === "warning");
        assert.equal(warnings.length, 1, destroyed.output);
        assert.equal(warnings[0]!.urn, urn);
        assert.match(warnings[0]!.message, /removed from the Pulumi state only/);
        // The CLI's closing summary lists it once, under the snapshot, as a warning (not a stack-level info line).
        const summary = destroyed.output.slice(destroyed.output.indexOf("\nDiagnostics:\n"));
        assert.match(
            summary,
            /^ {2}pulumi-nodejs:dynamic\/cloudpc:Snapshot \(restore\):\n {4}warning: Snapshot /m,
            destroyed.output,
        );
        assert.equal(summary.match(/^ +warning: /gm)?.length, 1, destroyed.output);
        assert.doesNotMatch(destroyed.output, /\[runtime\] cloudpc: (?!signing in with)/);
    });
});
