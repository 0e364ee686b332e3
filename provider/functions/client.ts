// The Graph client the functions use: the same settings resolution as the provider (stack config `cloudpc:*`, then
// the environment) and the same runtime per settings (runtime/registry.ts), so a program that calls several
// functions opens one connection pool and gets one token.
import * as pulumi from "@pulumi/pulumi";
import { resolveSettings, type ConfigSource, type ProviderSettings } from "../config/settings";
import { isDefaultNamespace, resolveNamespaceSettings } from "../config/settings-namespace";
import type { GraphClient } from "../graph/client";
import { runtimes } from "../runtime/registry";
import type { SnapshotsApi } from "../snapshots/api";

export interface FunctionOptions {
    /** Settings to use as they are (skips config and environment). */
    settings?: ProviderSettings;
    /** Where `cloudpc:*` keys come from; default: the running Pulumi program's stack config, then the environment. */
    config?: ConfigSource;
    /**
     * Another tenant's stack config namespace, as a resource's `settings` input names it ("tenantB": `tenantB:*`,
     * sign-in from there only).
     */
    namespace?: string;
}

/** The stack config of the running program (keys like "cloudpc:tenantId"); empty outside a Pulumi program. */
const stackConfig: ConfigSource = {
    get: (key) => {
        try {
            return pulumi.runtime.getConfig(key);
        } catch {
            return undefined;
        }
    },
};

function settingsOf(options: FunctionOptions): ProviderSettings {
    if (options.settings) return options.settings;
    const config = options.config ?? stackConfig;
    return isDefaultNamespace(options.namespace)
        ? resolveSettings(config, process.env)
        : resolveNamespaceSettings(config, process.env, options.namespace!);
}

export function functionClient(options: FunctionOptions = {}): GraphClient {
    return runtimes.forSettings(settingsOf(options)).graph;
}

/** The snapshots API of that client: what it learned of Graph's routes and users is shared by every function call. */
export function functionApi(options: FunctionOptions = {}): SnapshotsApi {
    return runtimes.forSettings(settingsOf(options)).api;
}

/** Throws before Graph is called: functions get the same early, named failures as check() gives resources. */
export function rejectInvalid(what: string, problem: string | undefined): void {
    if (problem !== undefined) throw new Error(`${what} ${problem}`);
}

/** `{ a: Input<string> }` for `{ a: string }`: the argument shape of the Output forms. */
export type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The Output form of a function: resolves the (possibly Output) arguments, then calls it. */
export function outputOf<A extends object, R>(
    fn: (args: A, options?: FunctionOptions) => Promise<R>,
    args: InputArgs<A>,
    options?: FunctionOptions,
): pulumi.Output<R> {
    return pulumi.output(args).apply((resolved) => fn(resolved as unknown as A, options)) as pulumi.Output<R>;
}
