// Test controls over HTTPS for out-of-process users (the demo runs the emulator as a separate process).
// No token needed, not counted in stats, never faulted. The server binds to loopback by default.
import type { ImportStatus, ImportedSnapshotUsage } from "../provider/snapshots/types";
import { GraphError, graphErrorReply } from "./errors";
import type { FaultInjector, FaultRule, RandomFaults } from "./faults";
import { type Correlation, PLAIN_JSON, type Reply, emptyReply, jsonReply } from "./http";
import type { ImportStore } from "./imports";
import type { EmulatorOptions } from "./options";
import type { HealthCheckStatus, RestorePointStore } from "./snapshots";
import type { EmulatorStats } from "./stats";
import { isRecord } from "./tokens";

/** What the control routes operate on (the Emulator implements it). */
export interface ControlTarget {
    stats(): EmulatorStats;
    resetStats(): void;
    readonly faults: FaultInjector;
    readonly imports: ImportStore;
    readonly restorePoints: RestorePointStore;
    tenantIds(): string[];
    tenant(tenantId: string): { readonly imports: ImportStore; readonly restorePoints: RestorePointStore } | undefined;
    revokeTokens(): void;
    setOptions(p: Partial<EmulatorOptions>): void;
    currentOptions(): Record<string, unknown>;
    env(): Record<string, string>;
}

/** Route list, also served at GET /_emulator for discoverability. */
export const CONTROL_ROUTES = [
    "GET  /_emulator/stats",
    "POST /_emulator/stats/reset",
    "GET  /_emulator/imports",
    "POST /_emulator/imports/clear",
    'POST /_emulator/imports/{snapshotId}/status   {"status":"failed","detail":"..."}',
    'POST /_emulator/imports/{snapshotId}/usage    {"usageStatus":"inUse"}',
    "GET  /_emulator/restorePoints                 (every restore point, pending and expired ones too, with storage copies)",
    "POST /_emulator/restorePoints/clear",
    "POST /_emulator/restorePoints/{id}/expire",
    'POST /_emulator/restorePoints/{id}/health     {"healthCheckStatus":"unhealthy"}',
    "POST /_emulator/cloudPCs/{id}/deprovision",
    "POST /_emulator/faults                        (a FaultRule)",
    "POST /_emulator/faults/clear                  (also stops the random mode)",
    'POST /_emulator/faults/random                 {"rate":0.15,"seed":7,"kinds":["429","dropAfter"]} (null: stop)',
    "GET  /_emulator/faults                        (pending rules; the random mode's counters)",
    "GET  /_emulator/options",
    "POST /_emulator/options                       (partial options)",
    "POST /_emulator/tokens/revoke",
    "GET  /_emulator/env",
    "GET  /_emulator/tenants                       (each tenant's id and the snapshotIds of its imports)",
    "*    /_emulator/tenants/{tenantId}/imports... (the imports, restorePoints and cloudPCs routes, for that tenant)",
];

/** The routes that act on one tenant's data (without a tenant: the first's). */
const TENANT_SCOPED = /^(imports|restorePoints|cloudPCs)(\/|$)/;

function json(rawBody: string): unknown {
    if (rawBody.trim() === "") return {};
    try {
        return JSON.parse(rawBody) as unknown;
    } catch {
        throw new GraphError(400, "The body must be JSON.", "BadRequest");
    }
}

/** Control errors reuse Graph's error shape so one client-side parser fits everything. */
export function handleControl(
    target: ControlTarget,
    method: string,
    parts: string[],
    rawBody: string,
    corr: Correlation,
): Reply {
    try {
        return route(target, method, parts, rawBody);
    } catch (err) {
        if (err instanceof GraphError) return graphErrorReply(err, corr);
        if (err instanceof TypeError || err instanceof Error)
            return graphErrorReply(new GraphError(400, err.message, "BadRequest"), corr);
        throw err;
    }
}

function route(t: ControlTarget, method: string, parts: string[], rawBody: string): Reply {
    const path = parts.join("/");
    const ok = (payload: unknown): Reply => jsonReply(200, payload, PLAIN_JSON);
    if (parts[0] === "tenants") return tenantRoute(t, method, parts.slice(1), rawBody);
    if (method === "GET") {
        switch (path) {
            case "":
                return ok({ routes: CONTROL_ROUTES });
            case "stats":
                return ok(t.stats());
            case "imports":
                return ok({ value: t.imports.list() });
            case "restorePoints":
                return ok({ value: t.restorePoints.records() });
            case "faults":
                return ok({ pending: t.faults.pending(), random: t.faults.randomStats() });
            case "options":
                return ok(t.currentOptions());
            case "env":
                return ok(t.env());
            case "health":
                return ok({ status: "ok" });
        }
    }
    if (method === "POST") {
        switch (path) {
            case "stats/reset":
                t.resetStats();
                return emptyReply();
            case "imports/clear":
                t.imports.clear();
                return emptyReply();
            case "restorePoints/clear":
                t.restorePoints.clear();
                return emptyReply();
            case "faults":
                t.faults.add(json(rawBody) as FaultRule);
                return jsonReply(201, { pending: t.faults.pending() }, PLAIN_JSON);
            case "faults/clear":
                t.faults.clear();
                return emptyReply();
            case "faults/random": {
                const body = json(rawBody);
                t.faults.setRandom(body === null ? null : (body as RandomFaults));
                return ok({ random: t.faults.randomStats() });
            }
            case "options":
                t.setOptions(json(rawBody) as Partial<EmulatorOptions>);
                return ok(t.currentOptions());
            case "tokens/revoke":
                t.revokeTokens();
                return emptyReply();
        }
        const rp = /^restorePoints\/([^/]+)\/(expire|health)$/.exec(path);
        if (rp) return restorePointControl(t, decodeURIComponent(rp[1]!), rp[2]!, rawBody);
        const pc = /^cloudPCs\/([^/]+)\/deprovision$/.exec(path);
        if (pc) {
            t.restorePoints.deprovision(decodeURIComponent(pc[1]!));
            return emptyReply();
        }
        const m = /^imports\/([^/]+)\/(status|usage)$/.exec(path);
        if (m) {
            const id = decodeURIComponent(m[1]!);
            if (!t.imports.get(id)) throw new GraphError(404, `No imported snapshot '${id}'.`, "itemNotFound");
            const body = json(rawBody);
            if (!isRecord(body)) throw new GraphError(400, "The body must be a JSON object.", "BadRequest");
            if (m[2] === "status") {
                const status = body["status"];
                const detail = body["detail"];
                if (typeof status !== "string") throw new GraphError(400, "'status' is required.", "BadRequest");
                t.imports.setStatus(id, status as ImportStatus, typeof detail === "string" ? detail : undefined);
            } else {
                const usage = body["usageStatus"];
                if (typeof usage !== "string") throw new GraphError(400, "'usageStatus' is required.", "BadRequest");
                t.imports.setUsage(id, usage as ImportedSnapshotUsage);
            }
            return ok(t.imports.get(id));
        }
    }
    throw new GraphError(
        404,
        `Unknown control route ${method} /_emulator/${path}. See GET /_emulator.`,
        "itemNotFound",
    );
}

function tenantRoute(t: ControlTarget, method: string, parts: string[], rawBody: string): Reply {
    if (parts.length === 0 && method === "GET") {
        const value = t.tenantIds().map((tenantId) => ({
            tenantId,
            imports: t
                .tenant(tenantId)!
                .imports.list()
                .map((r) => r.snapshotId),
        }));
        return jsonReply(200, { value }, PLAIN_JSON);
    }
    const tenantId = decodeURIComponent(parts[0] ?? "");
    const tenant = t.tenant(tenantId);
    const rest = parts.slice(1);
    if (!tenant) throw new GraphError(404, `No tenant '${tenantId}' in this emulator.`, "itemNotFound");
    if (!TENANT_SCOPED.test(rest.join("/"))) {
        throw new GraphError(
            404,
            `Unknown control route ${method} /_emulator/tenants/${tenantId}/${rest.join("/")}: a tenant has only the imports, restorePoints and cloudPCs routes.`,
            "itemNotFound",
        );
    }
    const scoped: ControlTarget = {
        stats: () => t.stats(),
        resetStats: () => t.resetStats(),
        faults: t.faults,
        imports: tenant.imports,
        restorePoints: tenant.restorePoints,
        tenantIds: () => t.tenantIds(),
        tenant: (id) => t.tenant(id),
        revokeTokens: () => t.revokeTokens(),
        setOptions: (p) => t.setOptions(p),
        currentOptions: () => t.currentOptions(),
        env: () => t.env(),
    };
    return route(scoped, method, rest, rawBody);
}

function restorePointControl(t: ControlTarget, id: string, what: string, rawBody: string): Reply {
    if (!t.restorePoints.records().some((r) => r.id.toLowerCase() === id.toLowerCase())) {
        throw new GraphError(404, `No restore point '${id}'.`, "itemNotFound");
    }
    if (what === "expire") {
        t.restorePoints.expire(id);
    } else {
        const body = json(rawBody);
        const status = isRecord(body) ? body["healthCheckStatus"] : undefined;
        if (status !== "unknown" && status !== "healthy" && status !== "unhealthy") {
            throw new GraphError(400, "'healthCheckStatus' must be unknown, healthy or unhealthy.", "BadRequest");
        }
        t.restorePoints.setHealth(id, status as HealthCheckStatus);
    }
    return jsonReply(
        200,
        t.restorePoints.records().find((r) => r.id.toLowerCase() === id.toLowerCase()),
        PLAIN_JSON,
    );
}
