// Everything the resources of one set of settings (a tenant) share in a provider process, built once per settings
// (registry.ts) and passed explicitly: one Graph client (one connection pool, one token cache, one throttle), one
// imports gateway (one poller, one list pass, batched purges), one pending-imports journal, the redactor that knows
// these settings' secrets, the progress sink and the clock. Layers above keep their own per-runtime state as parts.
import * as path from "node:path";
import type { TokenCredential } from "@azure/identity";
import { createCredential } from "../config/credential";
import { describeCredentialChoice, logOncePerProcess } from "../config/credential-choice";
import { redactingCredential } from "../config/redacting-credential";
import { tokenScope, type ProviderSettings } from "../config/settings";
import { GraphClient } from "../graph/client";
import { createOutbound, type Outbound } from "../net/outbound";
import { ProxyEnv } from "../net/proxy-env";
import type { SnapshotsApi } from "../snapshots/api";
import type { ImportsGateway } from "../snapshots/coalescing/imports-gateway";
import {
    createSnapshotsServices,
    type GatewayFactory,
    type PollSettings,
    type SnapshotsServices,
} from "../snapshots/services";
import { systemClock, type Clock } from "../util/clock";
import { Redactor } from "../util/redact";
import { defaultPendingImportsDir, PendingImportsJournal, type PendingImports } from "./pending-imports";
import type { EngineLog } from "./engine-log";
import { pulumiProgress, resourceProgress, type Progress } from "./progress";

export type { GatewayFactory, PollSettings };

export interface RuntimeOptions {
    /** Where progress goes (default: Pulumi's log). Every line passes through the runtime's redactor first. */
    progress?: Progress;
    /** The engine's Log service (a provider process the engine started): progress then goes on the resource's row. */
    engineLog?: EngineLog;
    clock?: Clock;
    gatewayFactory?: GatewayFactory;
    /** Where the proxy variables are read (default: the process's environment). */
    env?: NodeJS.ProcessEnv;
}

/** Something a layer above keeps for the life of one runtime (a resource's create queue, its replacement watch). */
export interface RuntimePart<T> {
    readonly name: string;
    create(runtime: ProviderRuntime): T;
}

/** The first poll interval from the settings; it grows up to 30 s (a first interval under 2 s: up to 10 times it). */
export function pollSettings(settings: Pick<ProviderSettings, "pollIntervalSeconds">): PollSettings {
    const initialMs = Math.max(1, Math.round(settings.pollIntervalSeconds * 1000));
    return { initialMs, maxMs: initialMs >= 2_000 ? Math.max(initialMs, 30_000) : initialMs * 10 };
}

export class ProviderRuntime {
    readonly redactor = new Redactor();
    readonly progress: Progress;
    readonly clock: Clock;
    readonly poll: PollSettings;
    private client: GraphClient | undefined;
    private services: SnapshotsServices | undefined;
    private journal: PendingImports | undefined;
    private preflight: { credential: TokenCredential | undefined } | undefined;
    private outbound: Outbound | undefined;
    private readonly parts = new Map<RuntimePart<unknown>, unknown>();

    constructor(
        readonly settings: ProviderSettings,
        private readonly options: RuntimeOptions = {},
    ) {
        for (const secret of [
            settings.clientSecret,
            settings.clientCertificatePassword,
            settings.oidcToken,
            settings.oidcRequestToken,
            settings.adoSystemAccessToken,
        ]) {
            this.redactor.register(secret);
        }
        this.progress = this.redacting(options.progress ?? pulumiProgress);
        this.clock = options.clock ?? systemClock;
        this.poll = pollSettings(settings);
    }

    /**
     * Progress of one resource: on its row when the engine's Log service is there and `urn` is known (the hidden
     * input's), else this.progress. Lines shared by many resources (the Graph client's) stay on this.progress.
     */
    progressFor(urn: string | undefined): Progress {
        const engine = this.options.engineLog;
        return engine && urn
            ? this.redacting(resourceProgress(urn, engine, this.options.progress ?? pulumiProgress))
            : this.progress;
    }

    /** Resolves when every progress line sent to the engine so far was answered (before a handler answers). */
    async progressSent(): Promise<void> {
        await this.options.engineLog?.sent();
    }

    private redacting(sink: Progress): Progress {
        const r = this.redactor;
        return {
            info: (m) => sink.info(r.redact(m)),
            warn: (m) => sink.warn(r.redact(m)),
            debug: (m) => sink.debug(r.redact(m)),
        };
    }

    /**
     * How this runtime reaches the network besides Graph: Entra tokens, the runner's ID tokens, storage reads. The
     * proxy variables are read here, once, and the same decision routes the Graph client (net/proxy-env.ts).
     * Proxy credentials are registered with the redactor before any request is sent.
     */
    get network(): Outbound {
        if (!this.outbound) {
            const proxy = ProxyEnv.fromEnv(this.options.env ?? process.env);
            for (const secret of proxy.secrets()) this.redactor.register(secret);
            if (proxy.active) logOncePerProcess(proxy.describe(), (m) => this.progress.info(m));
            for (const note of proxy.notes) logOncePerProcess(`outbound proxy: ${note}`, (m) => this.progress.warn(m));
            this.outbound = createOutbound(proxy);
        }
        return this.outbound;
    }

    /** The Graph client, created on first use (diff and check never need one; a bad credential fails only here). */
    get graph(): GraphClient {
        if (!this.client) {
            const s = this.settings;
            const created = createCredential(s, this.redactor, this.network);
            const choice = describeCredentialChoice(s, created.kind);
            const prefix = s.namespace ? `settings "${s.namespace}" (stack config ${s.namespace}:*): ` : "";
            logOncePerProcess(prefix + choice, (m) => this.progress.info(m));
            this.client = new GraphClient({
                graphEndpoint: s.graphEndpoint,
                credential: redactingCredential(created.credential, this.redactor),
                scope: tokenScope(s),
                allowInsecureLoopback: s.allowInsecureLoopback ?? false,
                authorityHost: s.authorityHost,
                proxy: this.network.proxy,
                log: this.progress,
            });
        }
        return this.client;
    }

    private get snapshots(): SnapshotsServices {
        this.services ??= createSnapshotsServices(this.graph, {
            poll: this.poll,
            lookup: { notFoundMeansGone: this.settings.notFoundMeansGone ?? false },
            clock: this.clock,
            gatewayFactory: this.options.gatewayFactory,
        });
        return this.services;
    }

    /** What the snapshots code knows of this client: Graph's routes as proven, users' UPNs. */
    get api(): SnapshotsApi {
        return this.snapshots.api;
    }

    /** Reads, waits and purges of imports: every resource of this runtime shares one poller, list pass and purges. */
    get imports(): ImportsGateway {
        return this.snapshots.imports;
    }

    /**
     * Imports sent but not yet in a stack's state, scoped to this Graph endpoint and tenant (the notes name the
     * stack and resource). Needs no Graph client: diff and read settle notes without calling Graph.
     */
    get pendingImports(): PendingImports {
        if (!this.journal) {
            const s = this.settings;
            // A relative directory is the project's (the provider process's cwd), like every path a program gives.
            const dir = s.pendingImportsDir ? path.resolve(s.pendingImportsDir) : defaultPendingImportsDir();
            this.journal = new PendingImportsJournal(dir, [s.graphEndpoint, s.tenantId ?? ""], (m) =>
                this.progress.debug(`pending-imports journal: ${m}`),
            );
        }
        return this.journal;
    }

    /** The credential the replacement preflight reads storage with; undefined when the settings name none usable. */
    preflightCredential(): TokenCredential | undefined {
        if (!this.preflight) {
            let credential: TokenCredential | undefined;
            try {
                credential = redactingCredential(
                    createCredential(this.settings, this.redactor, this.network).credential,
                    this.redactor,
                );
            } catch {
                credential = undefined; // the read is then "could not be checked"
            }
            this.preflight = { credential };
        }
        return this.preflight.credential;
    }

    /** What `part` keeps for this runtime, created on first use. */
    part<T>(part: RuntimePart<T>): T {
        if (!this.parts.has(part)) this.parts.set(part, part.create(this));
        return this.parts.get(part) as T;
    }

    /** Closes the Graph client's connections and the others; the runtime builds new ones if used again. */
    async close(): Promise<void> {
        const client = this.client;
        const outbound = this.outbound;
        this.client = undefined;
        this.services = undefined;
        this.outbound = undefined;
        this.preflight = undefined;
        await client?.close();
        await outbound?.close();
    }
}
