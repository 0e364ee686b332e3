// Fleet benchmark: N imported snapshots created, refreshed and destroyed against the emulator with simulated import
// latency, paging and a rate limit that answers 429 + Retry-After. Two ways to drive the provider:
//   --engine harness (default): @pulumi/pulumi's real dynamic-provider gRPC server, one provider process per command,
//     every resource's call sent at once (as an engine with unbounded parallelism would), or at most --parallel N
//     outstanding (as the engine's --parallel);
//   --engine cli: the REAL Pulumi CLI through the Automation API (inline program, temporary file:// backend): `up`,
//     `refresh`, `destroy` of a stack of N resources; the engine starts our plugin launcher, whose process is measured.
// Prints a table per N, engine and mode (coalesced vs naive), the ratios and the targets. docs/BENCHMARKS.md has
// the figures and how to read them. Usage:
//   npm run bench -- [--sizes 10,100,1000] [--modes coalesced,naive] [--engine harness,cli] [--host launcher|stock]
//                    [--parallel N|default] [--rps 200] [--import-ms 3000] [--page-size 100] [--poll-ms 500]
//                    [--dialects metadata,seed]  (the emulator's Graph: reads by id through $batch, or a list)
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs as parseCommandLine, promisify } from "node:util";
import { startEmulator, type Emulator } from "../../emulator";
import { Throttle } from "../../provider/graph/throttle";
import {
    DynamicProviderProcess,
    PROVIDER_KEY,
    REPO_ROOT,
    serializeProvider,
    type Props,
} from "../../test/harness/dynamic-provider";
import { STORAGE_ACCOUNT_ID } from "../../test/fixtures";
import { writeBenchCharts } from "./charts";

type Engine = "harness" | "cli";

interface Args {
    sizes: number[];
    modes: string[];
    engines: Engine[];
    /** harness only: start the provider through our plugin launcher (its Node flags and preload) or as plain node. */
    host: "launcher" | "stock";
    /** The engine's --parallel (undefined: the CLI's default; for the harness, every call at once). */
    parallel?: number;
    rps: number;
    importMs: number;
    pageSize: number;
    pollMs: number;
    dialects: Dialect[];
    /** Where the SVG charts and runs.json go ("" for nowhere). */
    charts: string;
}

type Dialect = "metadata" | "docs" | "seed";

const USAGE = `Usage: npm run bench -- [options]
  --sizes <n,...>        fleet sizes (default 10,100,1000)
  --modes <m,...>        coalesced,naive (default both)
  --engine <e,...>       harness (default), cli
  --host <h>             launcher (default) or stock (harness only)
  --parallel <n>         the engine's --parallel, or default
  --rps <n>              emulator rate limit, requests per second (default 200)
  --import-ms <n>        import duration (default 3000)
  --page-size <n>        collection page size (default 100)
  --poll-ms <n>          provider poll interval (default 500)
  --dialects <d,...>     metadata,seed (default both)
  --charts <dir>         SVG charts and runs.json (default docs/bench; "" for none)
  -h, --help             this help
`;

function parseArgs(argv: string[]): Args {
    const text = { type: "string" } as const;
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseCommandLine({
            args: argv,
            options: {
                sizes: text,
                modes: text,
                engine: text,
                host: text,
                parallel: text,
                rps: text,
                "import-ms": text,
                "page-size": text,
                "poll-ms": text,
                dialects: text,
                charts: text,
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}`);
        process.exit(2);
    }
    if (values.help) {
        process.stdout.write(USAGE);
        process.exit(0);
    }
    const get = (name: string, def: string): string => (values[name] as string | undefined) || def;
    const engines = get("engine", "harness").split(",") as Engine[];
    for (const e of engines) if (e !== "harness" && e !== "cli") throw new Error(`--engine ${e}: harness or cli`);
    const host = get("host", "launcher");
    if (host !== "launcher" && host !== "stock") throw new Error(`--host ${host}: launcher or stock`);
    const parallel = get("parallel", "default");
    return {
        sizes: get("sizes", "10,100,1000").split(",").map(Number),
        modes: get("modes", "coalesced,naive").split(","),
        engines,
        host,
        parallel: parallel === "default" ? undefined : Number(parallel),
        rps: Number(get("rps", "200")),
        importMs: Number(get("import-ms", "3000")),
        pageSize: Number(get("page-size", "100")),
        pollMs: Number(get("poll-ms", "500")),
        dialects: get("dialects", "metadata,seed").split(",") as Dialect[],
        charts: values.charts === undefined ? path.join(REPO_ROOT, "docs", "bench") : String(values.charts),
    };
}

interface PhaseResult {
    wallMs: number;
    requests: Record<string, number>;
    total: number;
    items: number;
    status429: number;
    /** Graph requests that arrived while a Retry-After answered earlier was still pending (see earlyRequests). */
    early: number;
    /** How long after the 429 each of those arrived, ms. */
    earlyOffsetsMs: number[];
    failed: number;
    /** Peak RSS (VmHWM) of the provider process(es) of this phase, MB. */
    rssMb: number;
    /** cli only: ms from the first resource step the engine started to the last (how spread out its calls came). */
    stepSpreadMs?: number;
}

interface Run {
    n: number;
    dialect: Dialect;
    mode: string;
    engine: Engine;
    phases: Record<string, PhaseResult>;
    peakRssMb: number;
    /** Bytes of one __provider value. */
    providerBytes: number;
    /** harness: JSON of {id, inputs, outputs} per resource; cli: `pulumi stack export` (no --show-secrets) / N. */
    stateBytesPerResource: number;
    /** cli only: `pulumi stack export` after create, bytes. */
    exportBytes?: number;
    /** cli only: how many copies of __provider one resource's state holds (inputs, outputs). */
    providerCopies?: number;
}

function userId(i: number): string {
    return `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

function vmHwmMb(pid: number | undefined): number {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Math.round(Number(m[1]) / 1024) : NaN;
    } catch {
        return NaN;
    }
}

// ---- what the emulator saw -----------------------------------------------------------------------------------

/** One Graph request as the emulator logs it at completion: "<iso> <METHOD> <path> -> <status> (<key>) <ms>ms". */
const LOG_LINE = /^(\S+) (\S+) (\S+) -> (\S+) \((.+?)\) (\d+)ms/;
const AUTHORITY_KEYS = /token|openid|keys/i;

interface Logged {
    arrivedAt: number;
    doneAt: number;
    status: string;
    key: string;
}

const logged: Logged[] = [];

function onEmulatorLog(line: string): void {
    const m = LOG_LINE.exec(line);
    if (!m || AUTHORITY_KEYS.test(m[5])) return;
    const doneAt = Date.parse(m[1]);
    logged.push({ arrivedAt: doneAt - Number(m[6]), doneAt, status: m[4], key: m[5] });
}

/**
 * Requests that reached Graph while a Retry-After was pending: for each 429 answered at T with Retry-After R, those
 * arriving in (T + slack, T + R). The slack covers requests already on their way when the 429 left (the provider
 * could not have known) and the emulator sharing its event loop with the benchmark (arrival is logged late when
 * that loop is busy); the same check as test/integration/faults.test.ts, from Graph's side.
 */
function earlyRequests(log: Logged[], retryAfterMs: number, slackMs = 30): { count: number; offsetsMs: number[] } {
    const early = new Map<Logged, number>();
    for (const t of log.filter((r) => r.status === "429")) {
        for (const r of log) {
            if (r.arrivedAt > t.doneAt + slackMs && r.arrivedAt < t.doneAt + retryAfterMs - 5)
                early.set(r, Math.min(early.get(r) ?? Infinity, r.arrivedAt - t.doneAt));
        }
    }
    return { count: early.size, offsetsMs: [...early.values()].sort((x, y) => x - y) };
}

async function phase(
    emulator: Emulator,
    a: Args,
    work: () => Promise<{ failed: number; rssMb: number; stepSpreadMs?: number }>,
): Promise<PhaseResult> {
    emulator.resetStats();
    logged.length = 0;
    const started = Date.now();
    const { failed, rssMb, stepSpreadMs } = await work();
    const wallMs = Date.now() - started;
    const s = emulator.stats();
    const requests = Object.fromEntries(Object.entries(s.byRoute).filter(([k]) => !AUTHORITY_KEYS.test(k)));
    const early = earlyRequests(logged, RETRY_AFTER_S * 1000);
    return {
        wallMs,
        requests,
        total: Object.values(requests).reduce((x, y) => x + y, 0),
        items: s.itemsReturned,
        status429: s.status429,
        early: early.count,
        earlyOffsetsMs: early.offsetsMs,
        failed,
        rssMb,
        ...(stepSpreadMs !== undefined ? { stepSpreadMs } : {}),
    };
}

const RETRY_AFTER_S = 1;

async function countFailures(tasks: Promise<unknown>[]): Promise<number> {
    const settled = await Promise.allSettled(tasks);
    const failures = settled.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    if (failures.length > 0)
        console.error(`    first failure: ${String(failures[0].reason?.message ?? failures[0].reason).slice(0, 300)}`);
    return failures.length;
}

// ---- engine: the harness (the dynamic-provider gRPC server driven directly) -----------------------------------

/**
 * Runs at most `limit` of the calls given to it at once (all at once without a limit), as the engine's --parallel:
 * the provider's own Throttle, used as a plain semaphore (nothing here reports a 429 to it).
 */
function gate(limit: number | undefined): <T>(call: () => Promise<T>) => Promise<T> {
    if (!limit) return (call) => call();
    const slots = new Throttle({ maxInFlight: limit });
    return async (call) => {
        const release = await slots.acquire();
        try {
            return await call();
        } finally {
            release();
        }
    };
}

/**
 * A project with the compiled package installed, as users get it (scripts/bench.sh builds it): its node_modules links
 * to .state/bench-pkg (package.json, provider-handlers.js, dist/), so the serialized provider, which requires the
 * package by name from the plugin's cwd, runs compiled JavaScript with no ts-node. From the repository root it
 * would find this repository itself, and its TypeScript sources.
 */
const BENCH_PROJECT = path.join(REPO_ROOT, ".state", "bench-project");

/**
 * The naive mode's provider processes preload the benchmark's naive gateway, compiled into the package build
 * (scripts/bench.sh), so it installs itself on the registry of the very package copy the provider loads.
 */
const NAIVE_GATEWAY = path.join(
    REPO_ROOT,
    ".state",
    "bench-pkg",
    "dist",
    "scripts",
    "bench",
    "install-naive-gateway.js",
);

function gatewayEnv(mode: string): NodeJS.ProcessEnv {
    if (mode === "coalesced") return {};
    if (mode !== "naive") throw new Error(`--modes ${mode}: coalesced or naive`);
    const options = [process.env.NODE_OPTIONS, `--require ${NAIVE_GATEWAY}`].filter(Boolean).join(" ");
    return { NODE_OPTIONS: options };
}

/** A provider process for one command, as the engine starts one per `pulumi up` / `refresh` / `destroy`. */
async function providerFor(emulator: Emulator, mode: string, a: Args): Promise<DynamicProviderProcess> {
    const provider = await DynamicProviderProcess.start({
        cwd: BENCH_PROJECT,
        typescript: false,
        launcher: a.host === "launcher",
        env: { ...emulator.env(), ...gatewayEnv(mode), CLOUDPC_POLL_INTERVAL_SECONDS: String(a.pollMs / 1000) },
    });
    await provider.configure({});
    return provider;
}

async function inProcess(
    emulator: Emulator,
    mode: string,
    a: Args,
    work: (p: DynamicProviderProcess) => Promise<number>,
): Promise<{ failed: number; rssMb: number }> {
    const provider = await providerFor(emulator, mode, a);
    try {
        const failed = await work(provider);
        return { failed, rssMb: vmHwmMb(provider.pid) };
    } finally {
        await provider.close();
    }
}

async function runHarness(
    emulator: Emulator,
    serialized: string,
    n: number,
    mode: string,
    a: Args,
): Promise<Omit<Run, "dialect">> {
    emulator.imports.clear();
    const urn = (i: number) => `urn:pulumi:bench::cloudpc::pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot::u${i}`;
    const state = new Map<number, { id: string; outputs: Props; inputs: Props }>();
    const news = (i: number): Props => ({
        assignedUserId: userId(i + 1),
        sourceFiles: [
            { storageBlobInfo: { storageAccountId: STORAGE_ACCOUNT_ID, containerName: "vhds", fileName: `u${i}.vhd` } },
        ],
        [PROVIDER_KEY]: serialized,
    });
    const ids = Array.from({ length: n }, (_, i) => i);
    const step = gate(a.parallel);
    const create = await phase(emulator, a, () =>
        inProcess(emulator, mode, a, (provider) =>
            countFailures(
                ids.map((i) =>
                    step(async () => {
                        const { inputs, failures } = await provider.check(urn(i), {}, news(i));
                        if (failures.length) throw new Error(failures[0].reason);
                        const r = await provider.create(urn(i), inputs);
                        state.set(i, { id: r.id, outputs: r.properties, inputs });
                    }),
                ),
            ),
        ),
    );
    const refresh = await phase(emulator, a, () =>
        inProcess(emulator, mode, a, (provider) =>
            countFailures(
                [...state].map(([i, s]) =>
                    step(async () => {
                        const r = await provider.read(s.id, urn(i), s.outputs, s.inputs);
                        if (r.id !== s.id) throw new Error(`read lost ${s.id}`);
                    }),
                ),
            ),
        ),
    );
    const stateBytes = Buffer.byteLength(JSON.stringify([...state.values()]));
    const destroy = await phase(emulator, a, () =>
        inProcess(emulator, mode, a, (provider) =>
            countFailures([...state].map(([i, s]) => step(() => provider.delete(s.id, urn(i), s.outputs)))),
        ),
    );
    const left = emulator.imports.list().length;
    if (left > 0) destroy.failed += left;
    const phases = { create, refresh, destroy };
    return {
        n,
        mode,
        engine: "harness",
        phases,
        peakRssMb: Math.max(...Object.values(phases).map((p) => p.rssMb)),
        providerBytes: Buffer.byteLength(serialized),
        stateBytesPerResource: Math.round(stateBytes / Math.max(1, state.size)),
    };
}

// ---- engine: the real Pulumi CLI (Automation API) -------------------------------------------------------------

/**
 * Samples VmHWM of every provider process our launcher starts while `work` runs: the launcher appends
 * "pid=<pid>" to CLOUDPC_PULUMI_PLUGIN_LOG, and exec keeps that pid for node.
 */
async function sampledPlugins<T>(
    pluginLog: string,
    work: () => Promise<T>,
): Promise<{ result: T; rssMb: number; pids: number[] }> {
    const offset = fs.existsSync(pluginLog) ? fs.statSync(pluginLog).size : 0;
    const peaks = new Map<number, number>();
    const sample = () => {
        if (fs.existsSync(pluginLog)) {
            const fresh = fs.readFileSync(pluginLog, "utf8").slice(offset);
            for (const m of fresh.matchAll(/\bpid=(\d+)/g)) if (!peaks.has(Number(m[1]))) peaks.set(Number(m[1]), 0);
        }
        for (const [pid, peak] of peaks) {
            const now = vmHwmMb(pid);
            if (now > peak) peaks.set(pid, now);
        }
    };
    const timer = setInterval(sample, 50);
    try {
        const result = await work();
        sample();
        return { result, rssMb: Math.max(0, ...peaks.values()), pids: [...peaks.keys()] };
    } finally {
        clearInterval(timer);
    }
}

async function runCli(emulator: Emulator, n: number, mode: string, a: Args): Promise<Omit<Run, "dialect">> {
    // Loaded here: only this engine needs the Automation API and the CLI.
    const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    const { provisionedPulumi, providerConfig } =
        require("../pulumi/automation") as typeof import("../pulumi/automation");
    // The compiled provider, as users get it (see BENCH_PROJECT). The engine starts the plugin in the project's
    // `main`, which the Automation API sets to this process's cwd when the stack is created: the bench project.
    const { CloudPcImportedSnapshot } =
        require("../../.state/bench-pkg/dist/provider") as typeof import("../../provider");
    if (process.cwd() !== REPO_ROOT) throw new Error(`run the benchmark from the repository root (${REPO_ROOT})`);

    emulator.imports.clear();
    const pulumiCommand = await provisionedPulumi();
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-bench-backend-"));
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpc-bench-work-"));
    const pluginLog = path.join(workDir, "plugins.log");
    const stackName = `bench-${n}-${mode}`;
    const program = (count: number) => async () => {
        for (let i = 0; i < count; i++) {
            new CloudPcImportedSnapshot(`u${i}`, {
                assignedUserId: userId(i + 1),
                sourceFiles: [
                    {
                        storageBlobInfo: {
                            storageAccountId: STORAGE_ACCOUNT_ID,
                            containerName: "vhds",
                            fileName: `u${i}.vhd`,
                        },
                    },
                ],
            });
        }
    };
    process.chdir(BENCH_PROJECT);
    const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: "cloudpc-bench", stackName, program: program(n) },
        {
            workDir,
            pulumiCommand,
            envVars: {
                PULUMI_BACKEND_URL: `file://${backend}`,
                PULUMI_CONFIG_PASSPHRASE: "cloudpc-bench-passphrase",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                CLOUDPC_POLL_INTERVAL_SECONDS: String(a.pollMs / 1000),
                ...gatewayEnv(mode),
                CLOUDPC_PULUMI_PLUGIN_LOG: pluginLog,
                // Everything the provider knows comes from the stack config, as in a real stack.
                AZURE_TENANT_ID: "",
                AZURE_CLIENT_ID: "",
                AZURE_CLIENT_SECRET: "",
                CLOUDPC_GRAPH_ENDPOINT: "",
                CLOUDPC_AUTHORITY_HOST: "",
            },
        },
    ).finally(() => process.chdir(REPO_ROOT));
    await stack.setAllConfig(providerConfig(emulator));
    const parallel = a.parallel !== undefined ? { parallel: a.parallel } : {};

    /** One CLI operation: failed = resources whose step failed (at least 1 when the operation failed). */
    const op = (
        name: string,
        run: (o: {
            onEvent: (e: import("@pulumi/pulumi/automation").EngineEvent) => void;
            onOutput: (s: string) => void;
        }) => Promise<unknown>,
    ) =>
        phase(emulator, a, async () => {
            let failedSteps = 0;
            let output = "";
            const stepStarts: number[] = [];
            const onEvent = (e: import("@pulumi/pulumi/automation").EngineEvent) => {
                if (e.resOpFailedEvent) failedSteps++;
                if (e.resourcePreEvent?.metadata.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot")
                    stepStarts.push(Date.now());
            };
            const {
                result: error,
                rssMb,
                pids,
            } = await sampledPlugins(pluginLog, async () => {
                try {
                    await run({
                        onEvent,
                        onOutput: (s) => {
                            output += s;
                        },
                    });
                    return undefined;
                } catch (err) {
                    return err as Error;
                }
            });
            if (error) console.error(`    ${name} failed: ${error.message.slice(0, 300)}\n${output.slice(-1500)}`);
            if (pids.length === 0)
                console.error(`    ${name}: no provider process was seen (is our launcher on the CLI's PATH?)`);
            const stepSpreadMs = stepStarts.length > 0 ? Math.max(...stepStarts) - Math.min(...stepStarts) : 0;
            return { failed: Math.max(failedSteps, error ? 1 : 0), rssMb, stepSpreadMs };
        });

    try {
        const create = await op("up", (o) => stack.up({ ...o, ...parallel }));
        // `pulumi stack export` as users type it: the Automation API's exportStack() passes --show-secrets.
        const exported = (
            await promisify(execFile)(pulumiCommand.command, ["stack", "export", "--stack", stackName], {
                cwd: workDir,
                env: { ...process.env, ...stack.workspace.envVars },
                maxBuffer: 256 * 2 ** 20,
            })
        ).stdout;
        const resources = (
            (JSON.parse(exported).deployment?.resources ?? []) as Array<{
                type: string;
                inputs?: Props;
                outputs?: Props;
            }>
        ).filter((r) => r.type === "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot");
        const providerTexts = resources
            .flatMap((r) => [r.inputs?.[PROVIDER_KEY], r.outputs?.[PROVIDER_KEY]])
            .filter((t): t is string => typeof t === "string");
        const refresh = await op("refresh", (o) => stack.refresh({ ...o, ...parallel }));
        const destroy = await op("destroy", (o) => stack.destroy({ ...o, ...parallel }));
        const left = emulator.imports.list().length;
        if (left > 0) destroy.failed += left;
        const phases = { create, refresh, destroy };
        return {
            n,
            mode,
            engine: "cli",
            phases,
            peakRssMb: Math.max(...Object.values(phases).map((p) => p.rssMb)),
            providerBytes: Math.max(0, ...providerTexts.map((t) => Buffer.byteLength(t))),
            stateBytesPerResource: Math.round(Buffer.byteLength(exported) / Math.max(1, n)),
            exportBytes: Buffer.byteLength(exported),
            providerCopies: resources.length > 0 ? providerTexts.length / resources.length : 0,
        };
    } finally {
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        fs.rmSync(backend, { recursive: true, force: true });
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

// ---- report ---------------------------------------------------------------------------------------------------

function fmtRequests(r: Record<string, number>): string {
    return Object.entries(r)
        .sort()
        .map(([k, v]) => `${k.replace(/^(GET|POST) /, (m) => m[0])}=${v}`)
        .join(" ");
}

function label(run: Run): string {
    return `N = ${run.n}, ${run.dialect} dialect, ${run.mode}, engine ${run.engine}`;
}

function print(runs: Run[], a: Args): void {
    const cpus = os.cpus();
    console.log(
        `\nMachine: ${cpus.length} x ${cpus[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`,
    );
    console.log(
        `Emulator: import latency ${a.importMs} ms, page size ${a.pageSize}, rate limit ${a.rps} req/s (429 + Retry-After: ${RETRY_AFTER_S}), poll interval ${a.pollMs} ms`,
    );
    console.log(
        `Provider process: ${a.host === "launcher" ? "our plugin launcher (scripts/pulumi/bin/pulumi-resource-pulumi-nodejs)" : "plain node (as @pulumi/pulumi's own launcher)"} for the harness; our launcher for the CLI` +
            `; --parallel ${a.parallel ?? (runs.some((r) => r.engine === "cli") ? "default (harness: unbounded)" : "unbounded")}`,
    );
    for (const run of runs) {
        console.log(`\n### ${label(run)}`);
        const cli = run.engine === "cli";
        console.log(
            `| phase | wall s | Graph requests | by route | items | 429s | sent during Retry-After | failed | peak RSS MB |${cli ? " engine's steps started over s |" : ""}`,
        );
        console.log(`|---|---|---|---|---|---|---|---|---|${cli ? "---|" : ""}`);
        for (const [name, p] of Object.entries(run.phases)) {
            console.log(
                `| ${name} | ${(p.wallMs / 1000).toFixed(1)} | ${p.total} | ${fmtRequests(p.requests)} | ${p.items} | ${p.status429} | ${p.early}${p.early > 0 ? ` (+${p.earlyOffsetsMs[0]}..+${p.earlyOffsetsMs[p.earlyOffsetsMs.length - 1]} ms)` : ""} | ${p.failed} | ${p.rssMb} |` +
                    (cli ? ` ${((p.stepSpreadMs ?? 0) / 1000).toFixed(1)} |` : ""),
            );
        }
        const state =
            run.engine === "cli"
                ? `\`pulumi stack export\` ${run.exportBytes} bytes (${run.stateBytesPerResource} per resource, __provider ${run.providerCopies} times each)`
                : `state ${run.stateBytesPerResource} bytes per resource`;
        console.log(
            `\nprovider peak RSS ${run.peakRssMb} MB; serialized provider ${run.providerBytes} bytes; ${state}`,
        );
    }
    console.log(`\n### Ratios coalesced / naive`);
    console.log(`| N | engine | phase | requests | wall time |`);
    console.log(`|---|---|---|---|---|`);
    for (const c of runs.filter((r) => r.mode === "coalesced")) {
        const v = runs.find(
            (r) => r.n === c.n && r.engine === c.engine && r.dialect === c.dialect && r.mode === "naive",
        );
        if (!v) continue;
        for (const name of Object.keys(c.phases)) {
            const pc = c.phases[name],
                pv = v.phases[name];
            console.log(
                `| ${c.n} ${c.dialect} | ${c.engine} | ${name} | ${(pc.total / Math.max(1, pv.total)).toFixed(3)} | ${(pc.wallMs / Math.max(1, pv.wallMs)).toFixed(3)} |`,
            );
        }
    }
    console.log(`\n### Targets (coalesced)`);
    for (const run of runs.filter((r) => r.mode === "coalesced")) {
        const pageLists = Math.ceil(run.n / a.pageSize);
        const perBatch = Math.ceil(run.n / Math.min(20, a.parallel ?? 20));
        const list = (p: PhaseResult) => p.requests["GET listSnapshotImportResults"] ?? 0;
        const batch = (p: PhaseResult) => p.requests["POST $batch"] ?? 0;
        const byId = (p: PhaseResult) => p.requests["GET retrieveSnapshotImportResults"] ?? 0;
        const purges = run.phases.destroy.requests["POST purgeImportedSnapshot"] ?? 0;
        // Reads: one list pass where Graph lists imports; else per-id reads in $batch requests (20 each), after one
        // probe of the list per provider process.
        const reads =
            run.dialect === "seed"
                ? ([
                      [
                          `refresh list requests ${list(run.phases.refresh)} <= ceil(N/page)+2 = ${pageLists + 2}`,
                          list(run.phases.refresh) <= pageLists + 2,
                      ],
                      [
                          `create list passes ${(list(run.phases.create) / pageLists).toFixed(1)} <= wall/poll+2 = ${(run.phases.create.wallMs / a.pollMs + 2).toFixed(1)}`,
                          list(run.phases.create) / pageLists <= run.phases.create.wallMs / a.pollMs + 2,
                      ],
                  ] as const)
                : ([
                      // The engine keeps at most --parallel reads outstanding, so a batch holds at most that many.
                      [
                          `refresh read requests ${batch(run.phases.refresh) + list(run.phases.refresh)} ($batch ${batch(run.phases.refresh)} + list probe ${list(run.phases.refresh)}) <= ceil(N/min(20, parallel))+1 = ${perBatch + 1}`,
                          batch(run.phases.refresh) + list(run.phases.refresh) <= perBatch + 1,
                      ],
                      [
                          `create: ${byId(run.phases.create)} reads by id in ${batch(run.phases.create)} $batch requests, poll passes ${(byId(run.phases.create) / run.n).toFixed(1)} <= wall/poll+2 = ${(run.phases.create.wallMs / a.pollMs + 2).toFixed(1)}`,
                          byId(run.phases.create) / run.n <= run.phases.create.wallMs / a.pollMs + 2,
                      ],
                  ] as const);
        const checks = [
            ...reads,
            [
                `destroy purge requests ${purges} <= ceil(N/100) = ${Math.ceil(run.n / 100)}`,
                purges <= Math.ceil(run.n / 100),
            ],
            [
                `failed operations ${Object.values(run.phases).reduce((s, p) => s + p.failed, 0)} = 0`,
                Object.values(run.phases).every((p) => p.failed === 0),
            ],
            [
                `requests sent during a pending Retry-After ${Object.values(run.phases).reduce((s, p) => s + p.early, 0)} = 0`,
                Object.values(run.phases).every((p) => p.early === 0),
            ],
            [`serialized provider ${run.providerBytes} B < 3072 B`, run.providerBytes < 3072],
            [`provider RSS ${run.peakRssMb} MB < 200 MB`, run.peakRssMb < 200],
        ] as const;
        for (const [text, ok] of checks)
            console.log(`N=${run.n} ${run.dialect} ${run.engine}: ${ok ? "ok  " : "MISS"} ${text}`);
    }
}

async function main(): Promise<void> {
    const a = parseArgs(process.argv.slice(2));
    const emulator = await startEmulator({
        importDurationMs: a.importMs,
        pageSize: a.pageSize,
        rateLimit: { requestsPerSecond: a.rps, retryAfterSeconds: RETRY_AFTER_S },
        log: onEmulatorLog,
    });
    // The provider as users get it: compiled JavaScript, no ts-node in the provider process.
    const { CloudPcImportedSnapshotProvider } =
        require("../../.state/bench-pkg/dist/provider") as typeof import("../../provider");
    const serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
    const runs: Run[] = [];
    try {
        for (const dialect of a.dialects) {
            emulator.setOptions({ dialect });
            for (const n of a.sizes) {
                for (const engine of a.engines) {
                    for (const mode of a.modes) {
                        process.stderr.write(`==> N=${n} ${dialect} ${mode} engine ${engine} ...\n`);
                        const run =
                            engine === "cli"
                                ? await runCli(emulator, n, mode, a)
                                : await runHarness(emulator, serialized, n, mode, a);
                        runs.push({ ...run, dialect });
                    }
                }
            }
        }
    } finally {
        await emulator.close();
    }
    print(runs, a);
    // The figures as data and as pictures, for docs/BENCHMARKS.md.
    const chartsDir = a.charts;
    if (chartsDir) {
        fs.mkdirSync(chartsDir, { recursive: true });
        fs.writeFileSync(path.join(chartsDir, "runs.json"), JSON.stringify(runs, null, 1) + "\n");
        for (const file of writeBenchCharts(runs, chartsDir))
            process.stderr.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
