// The Graph client the functions use: the same settings resolution as the provider (stack config `cloudpc:*`, then
// the environment) and the same runtime per settings (runtime/registry.ts), so a program that calls several
// functions opens one connection pool and gets one token.
import * as pulumi from "@pulumi/pulumi";
import { resolveSettings, type ConfigSource, type ProviderSettings } from "../config/settings";
import type { GraphClient } from "../graph/client";
import { runtimes } from "../runtime/registry";
import type { SnapshotsApi } from "../snapshots/api";

export interface FunctionOptions {
    /** Settings to use as they are (skips config and environment). */
    settings?: ProviderSettings;
    /** Where `cloudpc:*` keys come from; default: the running Pulumi program's stack config, then the environment. */
    config?: ConfigSource;
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

export function functionClient(options: FunctionOptions = {}): GraphClient {
    const settings = options.settings ?? resolveSettings(options.config ?? stackConfig, process.env);
    return runtimes.forSettings(settings).graph;
}

/** The snapshots API of that client: what it learned of Graph's routes and users is shared by every function call. */
export function functionApi(options: FunctionOptions = {}): SnapshotsApi {
    const settings = options.settings ?? resolveSettings(options.config ?? stackConfig, process.env);
    return runtimes.forSettings(settings).api;
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
