// Fleet benchmark: N imported snapshots created, refreshed and destroyed through @pulumi/pulumi's real
// dynamic-provider gRPC server (a provider process per command, all resources in parallel, as the engine runs them),
// against the emulator with simulated import latency, paging and a rate limit that answers 429 + Retry-After.
// Prints a table per N and mode (coalesced vs naive) and the ratios. Usage:
//   npm run bench -- [--sizes 10,100,1000] [--modes coalesced,naive] [--rps 200] [--import-ms 3000] [--page-size 100]
import { readFileSync } from "node:fs";
import { startEmulator, type Emulator } from "../../emulator";
import { DynamicProviderProcess, PROVIDER_KEY, serializeProvider, type Props } from "../../test/harness/dynamic-provider";
import { STORAGE_ACCOUNT_ID } from "../../test/fixtures";

interface Args { sizes: number[]; modes: string[]; rps: number; importMs: number; pageSize: number; pollMs: number }

function parseArgs(argv: string[]): Args {
    const get = (name: string, def: string) => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 && argv[i + 1] ? argv[i + 1] : def;
    };
    return {
        sizes: get("sizes", "10,100,1000").split(",").map(Number),
        modes: get("modes", "coalesced,naive").split(","),
        rps: Number(get("rps", "200")),
        importMs: Number(get("import-ms", "3000")),
        pageSize: Number(get("page-size", "100")),
        pollMs: Number(get("poll-ms", "500")),
    };
}

interface PhaseResult { wallMs: number; requests: Record<string, number>; total: number; items: number; status429: number; failed: number }
interface Run { n: number; mode: string; phases: Record<string, PhaseResult>; peakRssMb: number; providerBytes: number; stateBytesPerResource: number }

function userId(i: number): string {
    return `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

function peakRssMb(pid: number | undefined): number {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Math.round(Number(m[1]) / 1024) : NaN;
    } catch {
        return NaN;
    }
}

async function phase(emulator: Emulator, work: () => Promise<number>): Promise<PhaseResult> {
    emulator.resetStats();
    const started = Date.now();
    const failed = await work();
    const wallMs = Date.now() - started;
    const s = emulator.stats();
    const requests = Object.fromEntries(Object.entries(s.byRoute).filter(([k]) => !/token|openid/i.test(k)));
    return { wallMs, requests, total: Object.values(requests).reduce((a, b) => a + b, 0), items: s.itemsReturned, status429: s.status429, failed };
}

async function countFailures(tasks: Promise<unknown>[]): Promise<number> {
    const settled = await Promise.allSettled(tasks);
    const failures = settled.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    if (failures.length > 0) console.error(`    first failure: ${String(failures[0].reason?.message ?? failures[0].reason).slice(0, 300)}`);
    return failures.length;
}

/** A provider process for one command, as the engine starts one per `pulumi up` / `refresh` / `destroy`. */
async function providerFor(emulator: Emulator, mode: string, a: Args): Promise<DynamicProviderProcess> {
    const provider = await DynamicProviderProcess.start({
        typescript: false,
        env: { ...emulator.env(), CLOUDPC_COALESCE: mode === "naive" ? "false" : "true", CLOUDPC_POLL_INTERVAL_MS: String(a.pollMs) },
    });
    await provider.configure({});
    return provider;
}

async function inProcess<T>(emulator: Emulator, mode: string, a: Args, rss: number[], work: (p: DynamicProviderProcess) => Promise<T>): Promise<T> {
    const provider = await providerFor(emulator, mode, a);
    try {
        const result = await work(provider);
        rss.push(peakRssMb(provider.pid));
        return result;
    } finally {
        await provider.close();
    }
}

async function runOne(emulator: Emulator, serialized: string, n: number, mode: string, a: Args): Promise<Run> {
    emulator.imports.clear();
    const rss: number[] = [];
    const urn = (i: number) => `urn:pulumi:bench::cloudpc::pulumi-nodejs:dynamic:Resource::u${i}`;
    const state = new Map<number, { id: string; outputs: Props; inputs: Props }>();
    const news = (i: number): Props => ({
        assignedUserId: userId(i + 1),
        sourceFiles: [{ storageBlobInfo: { storageAccountId: STORAGE_ACCOUNT_ID, containerName: "vhds", fileName: `u${i}.vhd` } }],
        [PROVIDER_KEY]: serialized,
    });
    const ids = Array.from({ length: n }, (_, i) => i);
    const create = await inProcess(emulator, mode, a, rss, (provider) => phase(emulator, () => countFailures(ids.map(async (i) => {
        const { inputs, failures } = await provider.check(urn(i), {}, news(i));
        if (failures.length) throw new Error(failures[0].reason);
        const r = await provider.create(urn(i), inputs);
        state.set(i, { id: r.id, outputs: r.properties, inputs });
    }))));
    const refresh = await inProcess(emulator, mode, a, rss, (provider) => phase(emulator, () => countFailures([...state].map(async ([i, s]) => {
        const r = await provider.read(s.id, urn(i), s.outputs, s.inputs);
        if (r.id !== s.id) throw new Error(`read lost ${s.id}`);
    }))));
    const stateBytes = Buffer.byteLength(JSON.stringify([...state.values()]));
    const destroy = await inProcess(emulator, mode, a, rss, (provider) =>
        phase(emulator, () => countFailures([...state].map(async ([i, s]) => provider.delete(s.id, urn(i), s.outputs)))));
    const left = emulator.imports.list().length;
    if (left > 0) destroy.failed += left;
    return { n, mode, phases: { create, refresh, destroy }, peakRssMb: Math.max(...rss), providerBytes: serialized.length, stateBytesPerResource: Math.round(stateBytes / Math.max(1, state.size)) };
}

function fmtRequests(r: Record<string, number>): string {
    return Object.entries(r).sort().map(([k, v]) => `${k.replace(/^(GET|POST) /, (m) => m[0])}=${v}`).join(" ");
}

function print(runs: Run[], a: Args): void {
    console.log(`\nEmulator: import latency ${a.importMs} ms, page size ${a.pageSize}, rate limit ${a.rps} req/s (429 + Retry-After), poll interval ${a.pollMs} ms`);
    for (const run of runs) {
        console.log(`\n### N = ${run.n}, ${run.mode}`);
        console.log(`| phase | wall s | Graph requests | by route | items | 429s | failed |`);
        console.log(`|---|---|---|---|---|---|---|`);
        for (const [name, p] of Object.entries(run.phases)) {
            console.log(`| ${name} | ${(p.wallMs / 1000).toFixed(1)} | ${p.total} | ${fmtRequests(p.requests)} | ${p.items} | ${p.status429} | ${p.failed} |`);
        }
        console.log(`provider peak RSS ${run.peakRssMb} MB; serialized provider ${run.providerBytes} bytes per resource; state ${run.stateBytesPerResource} bytes per resource`);
    }
    const sizes = [...new Set(runs.map((r) => r.n))];
    console.log(`\n### Ratios coalesced / naive`);
    console.log(`| N | phase | requests | wall time |`);
    console.log(`|---|---|---|---|`);
    for (const n of sizes) {
        const c = runs.find((r) => r.n === n && r.mode === "coalesced");
        const v = runs.find((r) => r.n === n && r.mode === "naive");
        if (!c || !v) continue;
        for (const name of Object.keys(c.phases)) {
            const pc = c.phases[name], pv = v.phases[name];
            console.log(`| ${n} | ${name} | ${(pc.total / Math.max(1, pv.total)).toFixed(3)} | ${(pc.wallMs / Math.max(1, pv.wallMs)).toFixed(3)} |`);
        }
    }
    console.log(`\n### Targets (coalesced)`);
    for (const run of runs.filter((r) => r.mode === "coalesced")) {
        const pageLists = Math.ceil(run.n / a.pageSize);
        const list = (p: PhaseResult) => p.requests["GET listSnapshotImportResults"] ?? 0;
        const checks = [
            [`refresh list requests ${list(run.phases.refresh)} <= ceil(N/page)+2 = ${pageLists + 2}`, list(run.phases.refresh) <= pageLists + 2],
            [`create list passes ${(list(run.phases.create) / pageLists).toFixed(1)} <= wall/poll+2 = ${(run.phases.create.wallMs / a.pollMs + 2).toFixed(1)}`, list(run.phases.create) / pageLists <= run.phases.create.wallMs / a.pollMs + 2],
            [`destroy purge requests ${run.phases.destroy.requests["POST purgeImportedSnapshot"] ?? 0} <= ceil(N/100) = ${Math.ceil(run.n / 100)}`, (run.phases.destroy.requests["POST purgeImportedSnapshot"] ?? 0) <= Math.ceil(run.n / 100)],
            [`failed operations ${Object.values(run.phases).reduce((s, p) => s + p.failed, 0)} = 0`, Object.values(run.phases).every((p) => p.failed === 0)],
            [`serialized provider ${run.providerBytes} B < 2048 B`, run.providerBytes < 2048],
            [`provider RSS ${run.peakRssMb} MB < 200 MB`, run.peakRssMb < 200],
        ] as const;
        for (const [text, ok] of checks) console.log(`N=${run.n}: ${ok ? "ok  " : "MISS"} ${text}`);
    }
}

async function main(): Promise<void> {
    const a = parseArgs(process.argv.slice(2));
    const emulator = await startEmulator({ importDurationMs: a.importMs, pageSize: a.pageSize, rateLimit: { requestsPerSecond: a.rps, retryAfterSeconds: 1 } });
    // The provider as users get it: compiled JavaScript, no ts-node in the provider process.
    const { CloudPcImportedSnapshotProvider } = require("../../.state/bench-dist/provider") as typeof import("../../provider");
    const serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
    const runs: Run[] = [];
    try {
        for (const n of a.sizes) {
            for (const mode of a.modes) {
                process.stderr.write(`==> N=${n} ${mode} ...\n`);
                runs.push(await runOne(emulator, serialized, n, mode, a));
            }
        }
    } finally {
        await emulator.close();
    }
    print(runs, a);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
