// The real Pulumi engine driven through the Automation API with an inline program: shared by the demo
// (scripts/demo/quickstart.ts) and the end-to-end tests (test/e2e/e2e.test.ts).
//
// Why the Automation API: the Node.js language host (pulumi-language-nodejs) cannot be built on these machines
// (docs/PULUMI-CLI.md), so `pulumi up` of a `runtime: nodejs` project cannot start the program. With an inline
// program the SDK serves the language runtime in this Node process and runs `pulumi up --client=<addr>`: the real
// `pulumi` binary runs everything else (plan, steps, the dynamic-provider plugin, state, secrets encryption).
//
// The engine starts the dynamic-provider plugin with THIS process's cwd as its working directory, and the
// serialized provider requires its handlers relative to it (./provider/resources/...): run from the repository root.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PulumiCommand, type ConfigMap, type EngineEvent, type PulumiFn } from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The CLI that scripts/pulumi-cli.sh provisioned (cached under ~/.cache/cloudpc-pulumi; our plugin launcher beside
 * it). Builds nothing: a missing CLI is an error that says how to get it (`bash scripts/test.sh` and
 * `bash scripts/demo.sh` build it on first use, ~7 minutes).
 */
export async function provisionedPulumi(): Promise<PulumiCommand> {
    let printed: string;
    try {
        const r = await promisify(execFile)(
            "bash",
            [path.join(REPO_ROOT, "scripts", "pulumi-cli.sh"), "--cli-only", "--check"],
            { cwd: REPO_ROOT },
        );
        printed = r.stdout.trim();
    } catch (err) {
        const stderr = (err as { stderr?: string }).stderr?.trim();
        throw new Error(
            `no Pulumi CLI is provisioned${stderr ? ` (${stderr})` : ""}: run \`bash scripts/pulumi-cli.sh --cli-only\` ` +
                "(bash scripts/test.sh and bash scripts/demo.sh do it; the first build takes about 8 minutes)",
        );
    }
    // One directory (our cache), or "<launcher dir>:<dir of a pulumi already installed>".
    const dirs = printed.split(":").filter((d) => d !== "");
    const bin = dirs.find((d) => fs.existsSync(path.join(d, "pulumi")));
    if (!bin) throw new Error(`scripts/pulumi-cli.sh printed '${printed}', which holds no pulumi executable`);
    // PulumiCommand runs <root>/bin/pulumi and puts <root>/bin first on the CLI's PATH; other printed directories
    // (our launcher, when the pulumi is not ours) must be on PATH too.
    const others = dirs.filter((d) => d !== bin);
    if (others.length > 0) process.env.PATH = [...others, process.env.PATH ?? ""].join(path.delimiter);
    return PulumiCommand.get({ root: path.dirname(bin) });
}

/**
 * The environment of a test stack: a local file backend, the tests' poll interval, and nothing about Graph from
 * the environment, so everything the provider knows comes from the stack config, as in a real stack.
 */
export function isolatedStackEnv(backendDir: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "cloudpc-e2e-test-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
        ...extra,
        AZURE_TENANT_ID: "",
        AZURE_CLIENT_ID: "",
        AZURE_CLIENT_SECRET: "",
        CLOUDPC_GRAPH_ENDPOINT: "",
        CLOUDPC_AUTHORITY_HOST: "",
    };
}

/** Where the provider finds Graph and its credentials: the `cloudpc:*` stack config (client secret as a secret). */
export interface GraphTarget {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    graphEndpoint: string;
    authorityHost: string;
}

export function providerConfig(t: GraphTarget): ConfigMap {
    return {
        "cloudpc:tenantId": { value: t.tenantId },
        "cloudpc:clientId": { value: t.clientId },
        "cloudpc:clientSecret": { value: t.clientSecret, secret: true },
        "cloudpc:graphEndpoint": { value: t.graphEndpoint },
        "cloudpc:authorityHost": { value: t.authorityHost },
    };
}

/**
 * An inline program that runs the Pulumi program in `modulePath` (a file or a directory with an index.ts) and
 * returns its exports as the stack outputs. The module is evaluated anew on every run: a program registers its
 * resources when it is loaded, and a second `up` in the same process must register them again.
 */
export function moduleProgram(modulePath: string): PulumiFn {
    return async () => {
        const resolved = require.resolve(modulePath);
        delete require.cache[resolved];
        const exports = require(resolved) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(exports).filter(([k]) => k !== "__esModule"));
    };
}

/** One engine step on one resource, from the engine events, in the order the engine reported them. */
export interface StepEvent {
    /** "pre": the step starts; "outputs": it finished; "failed": it failed. */
    phase: "pre" | "outputs" | "failed";
    /** The engine's op: create, same, update, delete, replace, create-replacement, delete-replaced, refresh, ... */
    op: string;
    urn: string;
    type: string;
}

export function stepEvents(events: EngineEvent[]): StepEvent[] {
    const steps: StepEvent[] = [];
    for (const e of events) {
        const pre = e.resourcePreEvent?.metadata;
        const out = e.resOutputsEvent?.metadata;
        const failed = e.resOpFailedEvent?.metadata;
        const [phase, m] = pre
            ? (["pre", pre] as const)
            : out
              ? (["outputs", out] as const)
              : failed
                ? (["failed", failed] as const)
                : [undefined, undefined];
        if (phase && m) steps.push({ phase, op: String(m.op), urn: m.urn, type: m.type });
    }
    return steps;
}
