// Runs the project's Pulumi program (Pulumi.yaml's `main`) the way `pulumi up` / `pulumi destroy` would, until the
// Pulumi CLI is built (engine issue):
//   - the program runs in this process as a genuine Pulumi program, under Pulumi's mock monitor (setMocks);
//   - every dynamic resource it registers is forwarded to @pulumi/pulumi's real dynamic-provider gRPC server
//     (test/harness DynamicProviderProcess), in the engine's order: configure (stack config), check, then create
//     (new resource) or diff (resource in state: "same" or replace);
//   - state (urn, id, inputs, outputs per resource) is checkpointed to a small JSON file after every step.
//     Unlike the engine's, this state is NOT encrypted: it is written 0600 in the git-ignored .state/ folder, and
//     the demo deletes it at the end.
//
// Usage (from the repository root):
//   ts-node --transpile-only scripts/demo/run-program.ts <up|destroy> --state <file>
//       [--emulator <emulator state file>] [--stack <name>] [--config key=value]...
// --emulator: the JSON the emulator CLI writes with --state-file; the provider process gets its env (credentials,
//   endpoints, CA) and the run reports the emulator's Graph writes and held imports. Without it the provider
//   process uses this process's environment (AZURE_*, CLOUDPC_*, e.g. real Microsoft Graph).
// --config: stack config, like `pulumi config set` (keys without a namespace belong to the project).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DynamicProviderProcess, PROVIDER_KEY, ProviderCallError, REPO_ROOT, type Props } from "../../test/harness/dynamic-provider";

// Type-only: makes `tsc -p tsconfig.json` type-check the quickstart program (which the tsconfig does not include).
// At run time the program is loaded from Pulumi.yaml's `main`, after the mocks are in place.
type QuickstartProgram = typeof import("../../examples/quickstart/index");

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const EMULATOR_ENV_KEYS = [
    "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
    "CLOUDPC_GRAPH_ENDPOINT", "CLOUDPC_AUTHORITY_HOST", "NODE_EXTRA_CA_CERTS",
] as const;

interface ResourceState {
    urn: string;
    type: string;
    name: string;
    id: string;
    inputs: Props;
    outputs: Props;
    /** Set when create failed after Graph accepted the resource (the engine's "created but failed"). */
    initErrors?: string[];
}

interface StackState {
    version: 1;
    project: string;
    stack: string;
    /** Graph origin the resources live in: state is meaningless against another backend (e.g. a new emulator). */
    graphEndpoint: string | null;
    resources: ResourceState[];
    outputs: Record<string, unknown>;
}

interface Args {
    command: "up" | "destroy";
    stateFile: string;
    emulatorFile: string | undefined;
    stack: string;
    config: Record<string, string>;
}

class UsageError extends Error {}

function parseArgs(argv: string[], project: string): Args {
    const [command, ...rest] = argv;
    if (command !== "up" && command !== "destroy") throw new UsageError(`first argument must be 'up' or 'destroy', got '${command ?? ""}'`);
    const args: Args = { command, stateFile: "", emulatorFile: undefined, stack: "demo", config: {} };
    for (let i = 0; i < rest.length; i++) {
        const flag = rest[i]!;
        const value = (): string => {
            const v = rest[++i];
            if (v === undefined) throw new UsageError(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--state":
                args.stateFile = path.resolve(value());
                break;
            case "--emulator":
                args.emulatorFile = path.resolve(value());
                break;
            case "--stack":
                args.stack = value();
                break;
            case "--config": {
                const kv = value();
                const eq = kv.indexOf("=");
                if (eq <= 0) throw new UsageError(`--config needs key=value, got '${kv}'`);
                const key = kv.slice(0, eq);
                args.config[key.includes(":") ? key : `${project}:${key}`] = kv.slice(eq + 1);
                break;
            }
            default:
                throw new UsageError(`unknown argument '${flag}'`);
        }
    }
    if (!args.stateFile) throw new UsageError("--state <file> is required");
    return args;
}

/** name and main from Pulumi.yaml (top-level scalar keys only; enough for this project file). */
function readProject(): { name: string; main: string } {
    const text = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
    const scalar = (key: string): string | undefined => {
        const m = new RegExp(`^${key}:[ \\t]*(.+?)[ \\t]*$`, "m").exec(text);
        return m ? m[1]!.replace(/^["']|["']$/g, "") : undefined;
    };
    const name = scalar("name");
    if (!name) throw new Error("Pulumi.yaml has no name");
    return { name, main: scalar("main") ?? "." };
}

function loadState(file: string, project: string, stack: string): StackState | undefined {
    if (!fs.existsSync(file)) return undefined;
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as StackState;
    if (state.version !== 1 || state.project !== project || state.stack !== stack) {
        throw new Error(`${file} holds state of another project/stack (${state.project}/${state.stack}); remove it`);
    }
    return state;
}

function saveState(file: string, state: StackState): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
}

/** The engine sends plain values to a dynamic provider (it answers acceptSecrets=false): strip secret wrappers. */
function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SECRET_SIG_KEY] === SECRET_SIG) return unwrapSecrets(o["value"]);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

function elapsed(start: number): string {
    return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

function formatValue(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

interface EmulatorInfo {
    env: Record<string, string>;
    graphEndpoint: string;
}

function readEmulator(file: string): EmulatorInfo {
    const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const env: Record<string, string> = {};
    for (const key of EMULATOR_ENV_KEYS) {
        const v = raw[key];
        if (typeof v !== "string" || v === "") throw new Error(`${file}: ${key} missing`);
        env[key] = v;
    }
    return { env, graphEndpoint: env.CLOUDPC_GRAPH_ENDPOINT! };
}

/** The emulator's control routes (no token). Needs NODE_EXTRA_CA_CERTS in this process's environment. */
async function emulatorStatus(graphEndpoint: string): Promise<{ writes: number; imports: { snapshotId?: string; importStatus?: string }[] }> {
    const get = async (route: string): Promise<any> => {
        let res: Response;
        try {
            res = await fetch(`${graphEndpoint}/_emulator/${route}`);
        } catch (err) {
            const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
            throw new Error(`cannot reach the emulator at ${graphEndpoint} (${cause}); is it running, and NODE_EXTRA_CA_CERTS set to its CA?`);
        }
        if (!res.ok) throw new Error(`GET /_emulator/${route}: HTTP ${res.status}`);
        return res.json();
    };
    const [stats, imports] = await Promise.all([get("stats"), get("imports")]);
    return { writes: Number(stats.writes), imports: imports.value ?? [] };
}

/** Prints what the provider process logged (its progress goes to stdout as "info: [runtime] ...") since last time. */
class ProviderLog {
    private seen = { out: 0, err: 0 };
    constructor(private readonly provider: DynamicProviderProcess) {}
    flush(): void {
        const take = (lines: string[], from: number): string[] =>
            lines.slice(from).join("").split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
        const out = take(this.provider.stdout, this.seen.out);
        const err = take(this.provider.stderr, this.seen.err);
        this.seen = { out: this.provider.stdout.length, err: this.provider.stderr.length };
        for (const l of [...out, ...err]) console.log(`      provider: ${l.replace(/^info: \[runtime\] /, "")}`);
    }
}

function failureMessage(err: unknown): string {
    if (err instanceof ProviderCallError && err.initFailure) {
        const reasons = err.initFailure.reasons.filter((r) => r !== err.message);
        return `${err.message}\n      (the resource exists, id ${err.initFailure.id}: recorded in state as created-but-failed` +
            `${reasons.length > 0 ? `: ${reasons.join("; ")}` : ""}; destroy purges it)`;
    }
    return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
    const project = readProject();
    const args = parseArgs(process.argv.slice(2), project.name);
    const emulator = args.emulatorFile ? readEmulator(args.emulatorFile) : undefined;
    const graphEndpoint = emulator?.graphEndpoint ?? process.env.CLOUDPC_GRAPH_ENDPOINT ?? null;
    const state: StackState = loadState(args.stateFile, project.name, args.stack)
        ?? { version: 1, project: project.name, stack: args.stack, graphEndpoint, resources: [], outputs: {} };
    if (state.resources.length > 0 && state.graphEndpoint !== graphEndpoint) {
        throw new Error(`${args.stateFile} describes resources in ${state.graphEndpoint}, not ${graphEndpoint}; ` +
            `they cannot be managed from here (remove the file if that backend is gone)`);
    }
    state.graphEndpoint = graphEndpoint;

    console.log(`    pulumi ${args.command} (engine-level harness): project ${project.name}, stack ${args.stack}`);
    const before = emulator ? await emulatorStatus(emulator.graphEndpoint) : undefined;

    // The provider plugin, as the engine starts it: from the project directory, with the project name set.
    // Interrupted (Ctrl-C, the demo's trap, a test timeout): stop the plugin too, or it would outlive us. A signal
    // that arrives while the plugin is starting is acted on as soon as its handle exists.
    let started: DynamicProviderProcess | undefined;
    let interrupted: number | undefined;
    const stop = (code: number): void => {
        if (!started) return;
        void started.close().finally(() => process.exit(code));
    };
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
        process.once(signal, () => {
            console.error(`${signal}: stopping the provider plugin`);
            interrupted = code;
            stop(code);
        });
    }
    const provider = await DynamicProviderProcess.start({ env: emulator?.env ?? {}, project: project.name, cwd: REPO_ROOT });
    started = provider;
    if (interrupted !== undefined) {
        stop(interrupted);
        return new Promise<never>(() => undefined);
    }
    const log = new ProviderLog(provider);
    const counts = { created: 0, same: 0, replaced: 0, deleted: 0 };
    try {
        console.log(`    plugin: @pulumi/pulumi dynamic-provider gRPC server, pid ${provider.pid}`);
        await provider.configure(args.config);
        if (args.command === "up") {
            await up(args, project, state, provider, log, counts);
        } else {
            await destroy(args, state, provider, log, counts);
        }
    } finally {
        log.flush();
        await provider.close();
    }

    const summary = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k === "same" ? "unchanged" : k}`);
    console.log("Resources:");
    console.log(`    ${summary.length > 0 ? summary.join(", ") : "none"}`);
    if (args.command === "up" && counts.created + counts.replaced + counts.deleted === 0) console.log("no changes");

    if (emulator && before) {
        const after = await emulatorStatus(emulator.graphEndpoint);
        const writes = after.writes - before.writes;
        const held = after.imports.map((i) => `${i.snapshotId} (${i.importStatus})`).join(", ") || "none";
        console.log(`    emulator: ${writes} Graph write(s) during this run; imports it holds: ${held}`);
        if (args.command === "up" && counts.created + counts.replaced + counts.deleted === 0 && writes !== 0) {
            throw new Error(`no changes were planned, yet the provider made ${writes} Graph write(s)`);
        }
        if (args.command === "destroy" && after.imports.length !== 0) {
            throw new Error(`destroy finished but the emulator still holds ${after.imports.length} import(s)`);
        }
    }
}

async function up(args: Args, project: { name: string; main: string }, state: StackState, provider: DynamicProviderProcess,
    log: ProviderLog, counts: Record<"created" | "same" | "replaced" | "deleted", number>): Promise<void> {
    const failures: string[] = [];
    const registered = new Set<string>();
    const save = (): void => saveState(args.stateFile, state);
    const find = (urn: string): ResourceState | undefined => state.resources.find((r) => r.urn === urn);
    const put = (r: ResourceState): void => {
        state.resources = [...state.resources.filter((x) => x.urn !== r.urn), r];
        save();
    };

    const create = async (urn: string, name: string, inputs: Props): Promise<ResourceState> => {
        try {
            const r = await provider.create(urn, inputs);
            const res: ResourceState = { urn, type: DYNAMIC_TYPE, name, id: r.id, inputs, outputs: r.properties };
            put(res);
            return res;
        } catch (err) {
            if (err instanceof ProviderCallError && err.initFailure) {
                put({ urn, type: DYNAMIC_TYPE, name, id: err.initFailure.id, inputs, outputs: err.initFailure.properties, initErrors: err.initFailure.reasons });
            }
            throw err;
        }
    };

    const mocks: pulumi.runtime.Mocks = {
        async newResource(req: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
            const urn = `urn:pulumi:${args.stack}::${project.name}::${req.type}::${req.name}`;
            try {
                if (req.type !== DYNAMIC_TYPE) throw new Error(`resource type ${req.type} is not supported by this harness (dynamic resources only)`);
                const news = unwrapSecrets(req.inputs) as Props;
                if (typeof news[PROVIDER_KEY] !== "string") throw new Error(`no serialized ${PROVIDER_KEY} in the inputs`);
                registered.add(urn);
                const start = Date.now();
                const old = find(urn);
                const checked = await provider.check(urn, old?.inputs ?? {}, news);
                log.flush();
                if (checked.failures.length > 0) {
                    // The provider's reasons name their property already; prefix it only when one does not.
                    const lines = checked.failures.map((f) => (!f.property || f.reason.includes(f.property) ? f.reason : `${f.property}: ${f.reason}`));
                    throw new Error(`check failed:\n${lines.map((l) => `        ${l}`).join("\n")}`);
                }
                if (!old) {
                    console.log(`  + ${req.name} (${req.type}): check ok, creating ...`);
                    const res = await create(urn, req.name, checked.inputs);
                    log.flush();
                    console.log(`  + ${req.name}: created, id ${res.id} (${elapsed(start)})`);
                    counts.created++;
                    return { id: res.id, state: res.outputs };
                }
                const diff = await provider.diff(old.id, urn, old.outputs, checked.inputs);
                log.flush();
                if (diff.changes === "none" && old.initErrors) {
                    // The engine would send an empty Update to "continue awaiting initialization". The harness has
                    // no update call, and this provider implements no update (the dynamic-provider server would
                    // answer with outputs holding only __provider): refuse rather than pretend.
                    throw new Error(`the resource (id ${old.id}) failed to initialise in an earlier run, and the engine would now send ` +
                        `an empty Update, which this harness does not support. Run destroy, then up.`);
                }
                if (diff.changes === "none") {
                    console.log(`    ${req.name} (${req.type}): check ok, diff: no changes (id ${old.id})`);
                    counts.same++;
                    return { id: old.id, state: old.outputs };
                }
                // The provider has no update: any change is a replacement (the engine would refuse otherwise).
                if (diff.replaces.length === 0) {
                    throw new Error(`diff reported changes without a replacement, and the provider has no update`);
                }
                console.log(`  +- ${req.name}: replacing (changed: ${diff.replaces.join(", ")})${diff.deleteBeforeReplace ? ", delete before create" : ""} ...`);
                if (diff.deleteBeforeReplace) {
                    await provider.delete(old.id, old.urn, old.outputs);
                    state.resources = state.resources.filter((r) => r.urn !== urn);
                    save();
                    log.flush();
                    console.log(`  - ${req.name}: deleted ${old.id}`);
                }
                const res = await create(urn, req.name, checked.inputs);
                log.flush();
                if (!diff.deleteBeforeReplace) {
                    await provider.delete(old.id, old.urn, old.outputs);
                    log.flush();
                    console.log(`  - ${req.name}: deleted ${old.id}`);
                }
                console.log(`  +- ${req.name}: replaced, id ${res.id} (${elapsed(start)})`);
                counts.replaced++;
                return { id: res.id, state: res.outputs };
            } catch (err) {
                log.flush();
                const message = `${req.name} (${req.type}): ${failureMessage(err)}`;
                failures.push(message);
                throw new Error(message);
            }
        },
        call(req: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            throw new Error(`invoke ${req.token} is not supported by this harness`);
        },
    };

    pulumi.runtime.setAllConfig(args.config);
    await pulumi.runtime.setMocks(mocks, project.name, args.stack, false);
    const programPath = path.resolve(REPO_ROOT, project.main);
    console.log(`    program: ${path.relative(REPO_ROOT, programPath) || "."} (Pulumi.yaml main), under Pulumi's mock monitor`);

    let outputs: Record<string, unknown>;
    try {
        const program = require(programPath) as Partial<QuickstartProgram> & Record<string, unknown>;
        outputs = await stackOutputs(program);
    } catch (err) {
        throw new Error(failures.length > 0 ? failures.join("\n") : `the program failed: ${failureMessage(err)}`);
    }
    if (failures.length > 0) throw new Error(failures.join("\n"));

    // Resources in state that the program no longer declares are deleted, as `pulumi up` does.
    for (const old of [...state.resources].reverse()) {
        if (registered.has(old.urn)) continue;
        await provider.delete(old.id, old.urn, old.outputs);
        state.resources = state.resources.filter((r) => r.urn !== old.urn);
        save();
        log.flush();
        console.log(`  - ${old.name}: deleted ${old.id} (no longer in the program)`);
        counts.deleted++;
    }

    state.outputs = outputs;
    save();
    console.log("Outputs:");
    for (const [k, v] of Object.entries(outputs)) console.log(`    ${k}: ${formatValue(v)}`);
}

/** The program's exports, resolved like the engine records stack outputs (secrets shown as [secret]). */
async function stackOutputs(program: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        if (key === "__esModule") continue;
        if (pulumi.Output.isInstance(value)) {
            // Output.promise() is internal but stable: it rejects when the resource behind the output failed.
            const resolved = await (value as unknown as { promise(): Promise<unknown> }).promise();
            out[key] = (await pulumi.isSecret(value)) ? "[secret]" : resolved ?? null;
        } else if (typeof value !== "function") {
            out[key] = (await value) ?? null;
        }
    }
    return out;
}

async function destroy(args: Args, state: StackState, provider: DynamicProviderProcess, log: ProviderLog,
    counts: Record<"created" | "same" | "replaced" | "deleted", number>): Promise<void> {
    if (state.resources.length === 0) console.log("    (the state holds no resources)");
    for (const res of [...state.resources].reverse()) {
        console.log(`  - ${res.name} (${res.type}): deleting ${res.id} ...`);
        const start = Date.now();
        await provider.delete(res.id, res.urn, res.outputs);
        state.resources = state.resources.filter((r) => r.urn !== res.urn);
        saveState(args.stateFile, state);
        log.flush();
        console.log(`  - ${res.name}: deleted (${elapsed(start)})`);
        counts.deleted++;
    }
    // An empty stack leaves no state file behind.
    fs.rmSync(args.stateFile, { force: true });
}

// A failed resource registration also rejects promises inside the SDK that nobody awaits; like Pulumi's language
// host, report them instead of letting Node crash with a stack trace. up() reports the resource's own message.
const unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => {
    unhandled.push(reason);
});

main().then(
    () => {
        if (unhandled.length === 0) process.exit(0);
        console.error(`error: the program failed: ${unhandled.map(failureMessage).join("\n")}`);
        process.exit(1);
    },
    (err: unknown) => {
        console.error(`error: ${err instanceof UsageError ? `${err.message}\n(usage: see the header of scripts/demo/run-program.ts)` : failureMessage(err)}`);
        process.exit(1);
    },
);
