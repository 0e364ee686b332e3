// Graph beta routes for Cloud PC snapshots (contract §0, E1-E11). Routing is by path segment, case-insensitive like
// Graph. Every path resolves to a route with a stats key, so unknown paths and disabled functions are counted too.
import { InMemoryImportStore } from "./imports";
import { GraphError, resourceNotFound, resourceNotFoundForSegment } from "./errors";
import { isGuid } from "./http";
import { parseImportRequest } from "./import-request";
import { type Segment, paginate } from "./odata";
import {
    type EmulatorUser,
    type ImportResultFunction,
    ROLE_READ,
    ROLE_READ_WRITE,
    ROLE_USER_READ,
    type RuntimeSettings,
    userFor,
} from "./options";
import { type Answer, RestorePointRoutes } from "./restore-point-routes";
import type { InMemoryRestorePoints } from "./snapshots";
import { storageAccountsOf } from "./subscriptions";
import { isRecord } from "./tokens";

export { EMULATOR_STORAGE_ACCOUNT, EMULATOR_SUBSCRIPTION } from "./subscriptions";

/** Roles that satisfy each access level (app roles in `roles`). */
export const ACCESS_ROLES = {
    read: [ROLE_READ, ROLE_READ_WRITE],
    readWrite: [ROLE_READ_WRITE],
    users: [ROLE_USER_READ, "User.Read.All", "Directory.Read.All"],
} as const;
export type Access = keyof typeof ACCESS_ROLES;

export interface GraphState {
    /** Origin clients call (used in @odata.context and @odata.nextLink). */
    origin: string;
    runtime: RuntimeSettings;
    /** The tenant's users (the first tenant's change with setOptions). */
    users: () => ReadonlyMap<string, EmulatorUser>;
    imports: InMemoryImportStore;
    restorePoints: InMemoryRestorePoints;
}

export interface GraphCall {
    method: string;
    url: URL;
    rawBody: string;
    /** loopNextLink fault active for this request. */
    loop: boolean;
    /** skipSnapshotId fault active for this request: listings leave this import out. */
    skipSnapshotId?: string;
    /** The Prefer request header (include-unknown-enum-members). */
    prefer?: string;
}

export type GraphOutcome =
    | { kind: "json"; status: number; body: object; items: number; headers?: Record<string, string> }
    | { kind: "empty"; status: number };

export interface GraphRoute {
    /** Stats key, e.g. "POST importSnapshot". */
    key: string;
    access: Access;
    run(call: GraphCall): GraphOutcome;
}

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

function parseJson(call: GraphCall, required: boolean): unknown {
    if (call.rawBody.trim() === "") {
        if (required) throw new GraphError(400, "Empty Payload. JSON content expected.", "BadRequest");
        return undefined;
    }
    try {
        return JSON.parse(call.rawBody) as unknown;
    } catch {
        throw new GraphError(
            400,
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            "BadRequest",
        );
    }
}

function methodNotAllowed(method: string, name: string, allowed: string): GraphError {
    return new GraphError(
        405,
        `The HTTP method '${method}' is not allowed for '${name}'. Allowed: ${allowed}.`,
        "MethodNotAllowed",
        { Allow: allowed },
    );
}

function notEmulated(what: string): GraphError {
    return new GraphError(501, `The emulator does not implement ${what} yet.`, "NotImplemented");
}

function failing(key: string, err: GraphError): GraphRoute {
    return {
        key,
        access: "read",
        run: () => {
            throw err;
        },
    };
}

export class GraphRoutes {
    private readonly restorePoints: RestorePointRoutes;

    constructor(private readonly state: GraphState) {
        this.restorePoints = new RestorePointRoutes(state.restorePoints, state.runtime, state.origin);
    }

    /** Runs a restore-point handler and shapes its answer (paging, $select) like every other route. */
    private restorePointRoute(
        key: string,
        access: Access,
        handler: (c: GraphCall, body: unknown) => Answer,
        bodyRequired = false,
    ): GraphRoute {
        return {
            key,
            access,
            run: (c) => {
                const answer = handler(c, parseJson(c, bodyRequired));
                if (answer.kind === "page") return this.page(answer.items, c, answer.context, answer.select);
                if (answer.kind === "entity")
                    return {
                        kind: "json",
                        status: answer.status,
                        body: answer.body,
                        items: answer.status === 200 ? 1 : 0,
                        headers: answer.headers,
                    };
                return { kind: "empty", status: 204 };
            },
        };
    }

    private rp(c: GraphCall, body: unknown) {
        return { url: c.url, body, prefer: c.prefer };
    }

    private context(fragment: string): string {
        return `${this.state.origin}/beta/$metadata#${fragment}`;
    }

    private page<T extends object>(items: T[], call: GraphCall, context: string, select = false): GraphOutcome {
        const page = paginate(items, call.url, this.context(context), {
            origin: this.state.origin,
            pageSize: this.state.runtime.pageSize,
            loop: call.loop,
            select,
        });
        return { kind: "json", status: 200, body: page.body, items: page.items };
    }

    /** Resolves `segments` (after /beta) to a route; never throws, so every request gets a stats key. */
    match(method: string, segments: Segment[]): GraphRoute {
        const names = segments.map((s) => s.name);
        const last = segments[segments.length - 1]?.name ?? "beta";
        const unknownAt = (i: number): GraphRoute => {
            const name = segments[i]?.name ?? last;
            return failing(`${method} ${name}`, resourceNotFoundForSegment(name));
        };
        if (segments.length === 0) return unknownAt(0);
        if (segments.length === 1 && names[0] === "$batch") {
            // The server runs the items (emulator/batch.ts); the route only names and gates the envelope.
            if (method !== "POST") return failing(`${method} $batch`, methodNotAllowed(method, "$batch", "POST"));
            return { key: "POST $batch", access: "read", run: () => ({ kind: "empty", status: 204 }) };
        }
        if (eq(names[0], "users")) return this.matchUsers(method, segments.slice(1));
        if (!eq(names[0], "deviceManagement")) return unknownAt(0);
        if (segments.length === 1)
            return failing(`${method} deviceManagement`, notEmulated("the deviceManagement singleton"));
        if (!eq(names[1], "virtualEndpoint")) return unknownAt(1);
        if (segments.length === 2)
            return failing(`${method} virtualEndpoint`, notEmulated("the virtualEndpoint singleton"));
        if (eq(names[2], "snapshots")) return this.matchSnapshots(method, segments.slice(3));
        if (eq(names[2], "cloudPCs")) return this.matchCloudPcs(method, segments.slice(3));
        return unknownAt(2);
    }

    private matchSnapshots(method: string, rest: Segment[]): GraphRoute {
        if (rest.length === 0) {
            if (method === "GET")
                return this.restorePointRoute("GET snapshots", "read", (c, b) =>
                    this.restorePoints.list(this.rp(c, b)),
                );
            if (method === "POST")
                return this.restorePointRoute(
                    "POST snapshots",
                    "readWrite",
                    (c, b) => this.restorePoints.createDraft(this.rp(c, b)),
                    true,
                );
            return failing(`${method} snapshots`, methodNotAllowed(method, "snapshots", "GET, POST"));
        }
        if (rest.length > 1) return failing(`${method} ${rest[1]!.name}`, resourceNotFoundForSegment(rest[1]!.name));
        const seg = rest[0]!;
        const n = seg.name.toLowerCase();
        const noArgs = (name: string): void => {
            if (seg.args !== undefined && seg.args.size > 0)
                throw new GraphError(400, `'${name}' takes no parameters.`, "BadRequest");
        };
        const action = (name: string, access: Access, run: (c: GraphCall) => GraphOutcome): GraphRoute => {
            const key = `${method} ${name}`;
            if (method !== "POST") return failing(key, methodNotAllowed(method, name, "POST"));
            if (seg.args !== undefined)
                return failing(
                    key,
                    new GraphError(400, `'${name}' is an action: call it without parentheses.`, "BadRequest"),
                );
            return { key, access, run };
        };
        const fn = (name: string, run: (c: GraphCall) => GraphOutcome): GraphRoute => {
            const key = `${method} ${name}`;
            if (method !== "GET") return failing(key, methodNotAllowed(method, name, "GET"));
            return { key, access: "read", run };
        };
        const importFn = (name: ImportResultFunction, run: (c: GraphCall) => GraphOutcome): GraphRoute =>
            fn(name, (c) => {
                // A function this dialect does not serve is taken as a snapshot key, as the service routes it.
                if (!this.state.runtime.importResultFunctions.has(name)) throw resourceNotFound();
                return run(c);
            });
        const arg = (fnName: string, param: string): string => {
            const v = seg.args?.get(param);
            if (v === undefined)
                throw new GraphError(
                    400,
                    `The function '${fnName}' requires the parameter '${param}', e.g. ${fnName}(${param}='{id}').`,
                    "BadRequest",
                );
            return v;
        };
        switch (n) {
            case "importsnapshot":
                return action("importSnapshot", "readWrite", (c) => this.importSnapshot(c));
            case "purgeimportedsnapshot":
                return action("purgeImportedSnapshot", "readWrite", (c) => this.purge(c));
            case "retrievesnapshotimportresult":
                return importFn("retrieveSnapshotImportResult", () =>
                    this.retrieveOne(arg("retrieveSnapshotImportResult", "snapshotId")),
                );
            case "retrievesnapshotimportresults":
                return importFn("retrieveSnapshotImportResults", (c) =>
                    this.retrieveMany(c, arg("retrieveSnapshotImportResults", "snapshotId")),
                );
            case "listsnapshotimportresults":
                return importFn("listSnapshotImportResults", (c) => {
                    noArgs("listSnapshotImportResults");
                    const skip = c.skipSnapshotId?.toLowerCase();
                    const listed = this.state.imports.list().filter((r) => r.snapshotId.toLowerCase() !== skip);
                    return this.page(
                        listed.map(InMemoryImportStore.toGraph),
                        c,
                        "Collection(microsoft.graph.cloudPcSnapshotImportActionResult)",
                    );
                });
            case "getsubscriptions":
                return fn("getSubscriptions", (c) => {
                    noArgs("getSubscriptions");
                    const subs = this.state.runtime.subscriptions.map((s) => ({
                        subscriptionId: s.subscriptionId,
                        subscriptionName: s.subscriptionName ?? s.subscriptionId,
                    }));
                    return this.page(subs, c, "cloudPcSubscriptions");
                });
            case "getstorageaccounts":
                return fn("getStorageAccounts", (c) => {
                    const sub = arg("getStorageAccounts", "subscriptionId");
                    return this.page(
                        storageAccountsOf(this.state.runtime.subscriptions, sub),
                        c,
                        "cloudPcForensicStorageAccounts",
                    );
                });
            default:
                // A name the service does not know is taken as a key; with parentheses no entity can match it.
                if (seg.args !== undefined) return failing(`${method} ${seg.name}`, resourceNotFound());
                if (method !== "GET")
                    return failing(`${method} snapshots/{id}`, methodNotAllowed(method, "snapshots/{id}", "GET"));
                return this.restorePointRoute("GET snapshots/{id}", "read", (c, b) =>
                    this.restorePoints.get(this.rp(c, b), seg.name),
                );
        }
    }

    /** GET /users/{id}: only what the provider reads (the UPN), for any GUID. */
    private matchUsers(method: string, rest: Segment[]): GraphRoute {
        if (rest.length !== 1) return failing(`${method} users`, notEmulated("this users route"));
        const key = `${method} users/{id}`;
        if (method !== "GET") return failing(key, methodNotAllowed(method, "users/{id}", "GET"));
        const id = rest[0]!.name;
        return {
            key,
            access: "users",
            run: () => {
                if (!isGuid(id)) {
                    throw new GraphError(
                        404,
                        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
                        "Request_ResourceNotFound",
                    );
                }
                const user = userFor(this.state.users(), id);
                const body = {
                    "@odata.context": this.context("users(id,userPrincipalName)/$entity"),
                    id: id.toLowerCase(),
                    userPrincipalName: user.userPrincipalName,
                };
                return { kind: "json", status: 200, body, items: 1 };
            },
        };
    }

    private matchCloudPcs(method: string, rest: Segment[]): GraphRoute {
        if (rest.length === 0) return failing(`${method} cloudPCs`, notEmulated("listing cloudPCs"));
        const cloudPcId = rest[0]!.name;
        if (rest.length === 1) return failing(`${method} cloudPCs/{id}`, notEmulated("reading a cloudPC"));
        if (rest.length > 2) return failing(`${method} ${rest[2]!.name}`, resourceNotFoundForSegment(rest[2]!.name));
        const seg = rest[1]!;
        const action = (
            name: string,
            run: (c: GraphCall, body: unknown) => Answer,
            bodyRequired: boolean,
        ): GraphRoute => {
            const key = `${method} ${name}`;
            if (method !== "POST") return failing(key, methodNotAllowed(method, name, "POST"));
            // Every Cloud PC action is CloudPC.ReadWrite.All only (contract E9-E11).
            return this.restorePointRoute(key, "readWrite", run, bodyRequired);
        };
        switch (seg.name.toLowerCase()) {
            case "retrievesnapshots": {
                const key = `${method} retrieveSnapshots`;
                if (method !== "GET") return failing(key, methodNotAllowed(method, "retrieveSnapshots", "GET"));
                // Documented as CloudPC.ReadWrite.All only, although it is a read (contract E8).
                return this.restorePointRoute(key, "readWrite", (c, b) =>
                    this.restorePoints.retrieve(this.rp(c, b), cloudPcId),
                );
            }
            case "createsnapshot":
                return action("createSnapshot", (c, b) => this.restorePoints.create(this.rp(c, b), cloudPcId), false);
            case "restore":
                return action("restore", (c, b) => this.restorePoints.restore(this.rp(c, b), cloudPcId), true);
            case "sharesnapshot":
                return action("shareSnapshot", (c, b) => this.restorePoints.share(this.rp(c, b), cloudPcId), true);
            default:
                return failing(`${method} ${seg.name}`, resourceNotFoundForSegment(seg.name));
        }
    }

    // ---- E1 importSnapshot ----
    private importSnapshot(call: GraphCall): GraphOutcome {
        const request = parseImportRequest(parseJson(call, true));
        // One imported snapshot per user (older draft of the import page); any status blocks until purged.
        if (this.state.imports.byUser(request.assignedUserId).length > 0) {
            throw new GraphError(
                409,
                "The user already has an imported snapshot. Purge it with purgeImportedSnapshot before importing again.",
                "Conflict",
            );
        }
        const user = userFor(this.state.users(), request.assignedUserId);
        const record = this.state.imports.create({
            request,
            userPrincipalName: user.userPrincipalName,
            policyName: user.hasProvisioningPolicy ? user.policyName : null,
            hasProvisioningPolicy: user.hasProvisioningPolicy,
            durationMs: this.state.runtime.importDurationMs,
        });
        const body = {
            "@odata.context": this.context("microsoft.graph.cloudPcSnapshotImportActionResult"),
            ...InMemoryImportStore.toGraph(record),
        };
        return { kind: "json", status: 200, body, items: 0 };
    }

    // ---- E2 read functions ----
    private retrieveOne(snapshotId: string): GraphOutcome {
        const record = this.state.imports.get(snapshotId);
        if (!record) throw new GraphError(404, `The imported snapshot '${snapshotId}' was not found.`, "itemNotFound");
        const body = {
            "@odata.context": this.context("microsoft.graph.cloudPcSnapshotImportActionResult"),
            ...InMemoryImportStore.toGraph(record),
        };
        return { kind: "json", status: 200, body, items: 1 };
    }

    private retrieveMany(call: GraphCall, snapshotId: string): GraphOutcome {
        // The SDK's collection shape. An unknown id gives an empty collection, or (the other plausible answer) a 404.
        const record = this.state.imports.get(snapshotId);
        if (!record && this.state.runtime.unknownIdAnswer === "notFound") {
            throw new GraphError(404, `The imported snapshot '${snapshotId}' was not found.`, "itemNotFound");
        }
        return this.page(
            record ? [InMemoryImportStore.toGraph(record)] : [],
            call,
            "Collection(microsoft.graph.cloudPcSnapshotImportActionResult)",
        );
    }

    // ---- E3 purgeImportedSnapshot ----
    /**
     * Decisions (undocumented by Graph): atomic. 400 when snapshotIds is missing, empty or holds a non-GUID;
     * 404 naming every unknown id; 409 when any is in use. Nothing is purged unless every id is purgeable.
     * Records in any import status may be purged (failed ones too, per the older draft; an in-flight one is cancelled).
     */
    private purge(call: GraphCall): GraphOutcome {
        const body = parseJson(call, true);
        const ids = isRecord(body) ? body["snapshotIds"] : undefined;
        if (!Array.isArray(ids) || ids.length === 0)
            throw new GraphError(
                400,
                "'snapshotIds' must be a non-empty array of imported snapshot ids.",
                "BadRequest",
            );
        const invalid = ids.filter((id) => !isGuid(id));
        if (invalid.length > 0)
            throw new GraphError(
                400,
                `Invalid snapshot id(s): ${invalid.map((i) => `'${String(i)}'`).join(", ")}. Expected GUIDs.`,
                "BadRequest",
            );
        const unique = [...new Set((ids as string[]).map((i) => i.toLowerCase()))];
        const unknown = unique.filter((id) => !this.state.imports.get(id));
        if (unknown.length > 0)
            throw new GraphError(
                404,
                `Imported snapshot(s) not found: ${unknown.join(", ")}. Nothing was purged.`,
                "itemNotFound",
            );
        const inUse = unique.filter((id) => this.state.imports.get(id)?.usageStatus === "inUse");
        if (inUse.length > 0)
            throw new GraphError(
                409,
                `Imported snapshot(s) in use by a Cloud PC cannot be purged: ${inUse.join(", ")}. Nothing was purged.`,
                "Conflict",
            );
        for (const id of unique) this.state.imports.remove(id);
        return { kind: "empty", status: 204 };
    }
}
