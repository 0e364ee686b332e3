// One end-to-end test stack: an inline program's stack on a file backend of its own, driven by the real CLI, its
// provider settings from `cloudpc:*` stack config and nothing about Graph from the environment (isolatedStackEnv).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type ConfigMap, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import {
    isolatedStackEnv,
    provisionedPulumi,
    providerConfig,
    REPO_ROOT,
    type GraphTarget,
} from "../../scripts/pulumi/automation";

export interface TestStackOptions {
    project: string;
    stack: string;
    /** Where the provider signs in and sends Graph requests (an Emulator is one). */
    target: GraphTarget;
    /** The program `up` runs when the call names none (default: no resources). */
    program?: PulumiFn;
    /** More environment for the CLI and the provider (applied before the Graph variables are cleared). */
    env?: Record<string, string>;
    /** More stack config, beside the target's `cloudpc:*`. */
    config?: ConfigMap;
    /**
     * Sign in as CI does, from `env` only: the stack config then names where Graph and Entra are, and no tenant,
     * client or secret.
     */
    signInFromEnv?: boolean;
    /**
     * false: no `cloudpc:*` stack config at all, as in a stack configured for another provider (`azuread:*` in
     * `config`); the target's endpoints then reach the provider through the environment.
     */
    cloudpcConfig?: boolean;
}

export interface TestStack {
    stack: Stack;
    /** Destroys what the stack holds, removes it and its directories; safe after a failed up. */
    dispose(): Promise<void>;
}

export async function testStack(opts: TestStackOptions): Promise<TestStack> {
    // The engine starts the plugin in this process's cwd; the serialized provider finds the package from there.
    assert.equal(process.cwd(), REPO_ROOT, "run the tests from the repository root (bash scripts/test.sh does)");
    const dirs = ["backend", "work"].map((d) => fs.mkdtempSync(path.join(os.tmpdir(), `${opts.project}-${d}-`)));
    const [backend, workDir] = dirs as [string, string];
    const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: opts.project, stackName: opts.stack, program: opts.program ?? (async () => ({})) },
        { workDir, pulumiCommand: await provisionedPulumi(), envVars: stackEnv(backend, opts) },
    );
    const where: ConfigMap = {
        "cloudpc:graphEndpoint": { value: opts.target.graphEndpoint },
        "cloudpc:authorityHost": { value: opts.target.authorityHost },
    };
    const cloudpc = opts.cloudpcConfig === false ? {} : opts.signInFromEnv ? where : providerConfig(opts.target);
    await stack.setAllConfig({ ...cloudpc, ...opts.config });
    return {
        stack,
        async dispose() {
            try {
                // Unconditionally: after a failed up the stack may hold only its pulumi:pulumi:Stack, which blocks
                // removal.
                await stack.destroy();
                await stack.workspace.removeStack(opts.stack);
            } finally {
                for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
            }
        },
    };
}

function stackEnv(backend: string, opts: TestStackOptions): Record<string, string> {
    const env = isolatedStackEnv(backend, opts.env);
    if (opts.cloudpcConfig !== false) return env;
    return {
        ...env,
        CLOUDPC_GRAPH_ENDPOINT: opts.target.graphEndpoint,
        CLOUDPC_AUTHORITY_HOST: opts.target.authorityHost,
    };
}
