// The one piece of module state in the provider: the runtimes of this process, one per distinct settings. The
// host calls configure() once per distinct provider text (per resource class, and old and new text after an
// upgrade), all with the process's one stack config, so they share one runtime: one client, one journal, one
// gateway. Later calls (check, create, ...) carry no settings, so the registry also names the runtime configure()
// chose, and keeps the stack config: a resource whose `settings` input names another namespace (another tenant)
// gets that namespace's runtime. Functions in a Pulumi program find theirs by settings.
import { createHash } from "node:crypto";
import * as path from "node:path";
import { resolveSettings, type ConfigSource, type ProviderSettings } from "../config/settings";
import { isDefaultNamespace, resolveNamespaceSettings } from "../config/settings-namespace";
import { engineLog, type EngineLog } from "./engine-log";
import { DEFAULT_INTERVAL_MS, engineAddress, watchEngine } from "./engine-watch";
import { ProviderRuntime, type RuntimeOptions } from "./runtime";

export interface RegistryOptions extends RuntimeOptions {
    /** Between health checks of the engine that started this process (default 5 s; 0: no check). */
    engineCheckIntervalMs?: number;
}

/** Same settings, same key: the field order of the object does not matter. */
export function settingsKey(s: ProviderSettings): string {
    const ordered = Object.keys(s)
        .sort()
        .map((k) => [k, (s as unknown as Record<string, unknown>)[k]]);
    return createHash("sha256").update(JSON.stringify(ordered)).digest("hex");
}

export class RuntimeRegistry {
    /** For runtimes built from now on; a preloaded module may set it (the benchmark's naive gateway). */
    options: RegistryOptions = {};
    private readonly byKey = new Map<string, ProviderRuntime>();
    private configured: ProviderRuntime | undefined;
    /** The stack config configure() got, which holds every namespace's keys ("tenantB:clientId"). */
    private config: ConfigSource | undefined;
    private readonly namespaced = new Map<string, ProviderRuntime>();
    private engineWatched = false;
    private engineLog: EngineLog | undefined | null = null;

    /** configure(): stack config `cloudpc:*` first, then the environment. */
    configure(config: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): ProviderRuntime {
        this.configured = this.forSettings(resolveSettings(config, env), env);
        this.config = config;
        this.namespaced.clear(); // resolved again from this config on next use (same settings: same runtime)
        this.watchEngineOfThisProcess();
        return this.configured;
    }

    /** The runtime configure() chose; before any configure (a direct caller), the environment's. */
    active(): ProviderRuntime {
        return (this.configured ??= this.forSettings(resolveSettings(undefined, process.env)));
    }

    /**
     * The runtime of a resource's `settings` input: the stack config namespace it names (sign-in from `<ns>:*` only,
     * the rest falling back to the default), or configure()'s for none. Throws SettingsError naming what to set.
     */
    forNamespace(namespace: string | undefined, env: NodeJS.ProcessEnv = process.env): ProviderRuntime {
        if (namespace === undefined || isDefaultNamespace(namespace)) return this.active();
        let runtime = this.namespaced.get(namespace);
        if (!runtime) {
            runtime = this.forSettings(resolveNamespaceSettings(this.config, env, namespace), env);
            this.namespaced.set(namespace, runtime);
        }
        return runtime;
    }

    /** `env`: where the runtime reads the proxy variables (the same environment the settings were resolved from). */
    forSettings(settings: ProviderSettings, env: NodeJS.ProcessEnv = process.env): ProviderRuntime {
        const key = settingsKey(settings);
        let runtime = this.byKey.get(key);
        if (!runtime) {
            runtime = new ProviderRuntime(settings, { engineLog: this.engineLogOfThisProcess(), env, ...this.options });
            this.byKey.set(key, runtime);
        }
        return runtime;
    }

    /** Closes every runtime's connections (tests, tools). */
    async closeAll(): Promise<void> {
        await Promise.all([...this.byKey.values()].map((r) => r.close()));
    }

    /**
     * In a provider process the engine started (the dynamic-provider host is the main module): watch the engine and
     * exit when it is gone. Anywhere else (handlers called in-process) nothing.
     */
    private watchEngineOfThisProcess(): void {
        if (this.engineWatched) return;
        this.engineWatched = true;
        const intervalMs = this.options.engineCheckIntervalMs ?? DEFAULT_INTERVAL_MS;
        const address = engineOfThisProcess();
        if (!address || !(intervalMs > 0)) return;
        watchEngine({
            address,
            intervalMs,
            failures: 2,
            onGone: (reason) => {
                // Nobody reads this once the engine is gone, except in a debugging session; imports already sent are
                // in the pending-import notes, so the next `pulumi up` of the stack adopts them.
                process.stderr.write(
                    `cloudpc provider: the Pulumi engine is gone (${reason}); exiting. ` +
                        `Imports already sent are in the pending-import notes: the next pulumi up adopts them.\n`,
                );
                process.exit(1);
            },
        });
    }

    /** In a provider process the engine started, its Log service (one connection for every runtime). */
    private engineLogOfThisProcess(): EngineLog | undefined {
        if (this.engineLog === null) {
            const address = engineOfThisProcess();
            this.engineLog = address ? engineLog(address) : undefined;
        }
        return this.engineLog;
    }
}

/** The engine's address when the dynamic-provider host is the main module (a process the engine started). */
function engineOfThisProcess(): string | undefined {
    // require.main is undefined in a module loaded by a preload (before the main module): ask the process.
    const main = (require.main ?? process.mainModule)?.filename ?? "";
    if (!main.endsWith(path.join("cmd", "dynamic-provider", "index.js"))) return undefined;
    return engineAddress(process.argv.slice(2));
}

/** The process's registry. */
export const runtimes = new RuntimeRegistry();
