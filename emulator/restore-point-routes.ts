// Handlers of the restore-point routes (cloudPcSnapshot): E6/E7 and the draft POST /snapshots on the `snapshots`
// set, E8-E11 on a Cloud PC. graph.ts matches the paths and calls these.
import { GraphError, resourceNotFoundForSegment } from "./errors";
import { isGuid } from "./http";
import { STORAGE_ACCOUNT_ID_RE } from "./import-request";
import { applySelect } from "./odata";
import type { RuntimeSettings, SnapshotListRoute } from "./options";
import type { InMemoryRestorePoints, ListView } from "./snapshots";
import { isOfferedStorageAccount, offeredStorageAccount } from "./subscriptions";
import { isRecord } from "./tokens";

const ACCESS_TIERS = ["hot", "cool", "cold", "archive"];

export interface RestorePointCall {
    url: URL;
    /** The request's JSON body, parsed; undefined when empty. */
    body: unknown;
    /** The request's Prefer header. */
    prefer?: string;
}

export type Answer =
    | { kind: "page"; items: object[]; context: string; select: boolean }
    | { kind: "entity"; status: number; body: object; headers?: Record<string, string> }
    | { kind: "empty" };

export class RestorePointRoutes {
    constructor(
        private readonly store: InMemoryRestorePoints,
        private readonly runtime: RuntimeSettings,
        private readonly origin: string,
    ) {}

    /** A disabled read route answers as Graph does for a segment it does not know (the client's fallback trigger). */
    requireRoute(route: SnapshotListRoute, segment: string): void {
        if (!this.runtime.snapshotListRoutes.has(route)) throw resourceNotFoundForSegment(segment);
    }

    // ---- E6 (deprecated) / E7 (removed) / draft POST on the snapshots set ----
    list(call: RestorePointCall): Answer {
        this.requireRoute("listSnapshots", "snapshots");
        const items = this.store
            .list(undefined, this.view(call))
            .map((s) => ({ "@odata.type": "#microsoft.graph.cloudPcSnapshot", ...s }));
        return { kind: "page", items, context: "deviceManagement/virtualEndpoint/snapshots", select: true };
    }

    get(call: RestorePointCall, id: string): Answer {
        this.requireRoute("getSnapshot", "snapshots");
        const point = this.store.get(id, this.view(call));
        if (!point) throw new GraphError(404, `The snapshot '${id}' was not found.`, "itemNotFound");
        return {
            kind: "entity",
            status: 200,
            body: {
                "@odata.context": this.context("deviceManagement/virtualEndpoint/snapshots/$entity"),
                ...applySelect(point, call.url),
            },
        };
    }

    /** The SDK's generic create on the set (not a documented operation): ready at once, kept for clients that use it. */
    createDraft(call: RestorePointCall): Answer {
        const body = call.body;
        const cloudPcId = isRecord(body) ? body["cloudPcId"] : undefined;
        if (!isGuid(cloudPcId))
            throw new GraphError(400, "'cloudPcId' is required and must be the Cloud PC's id (GUID).", "BadRequest");
        const type = isRecord(body) ? (body["snapshotType"] ?? "manual") : "manual";
        if (type !== "manual" && type !== "automatic")
            throw new GraphError(
                400,
                `Cannot convert the literal '${String(type)}' to the expected type 'microsoft.graph.cloudPcSnapshotType'.`,
                "BadRequest",
            );
        const id = this.store.create(this.cloudPc(cloudPcId), type, 0, {
            retentionDays: this.runtime.snapshotRetentionDays,
        });
        const point = this.store.get(id)!;
        const location = `${this.origin}/beta/deviceManagement/virtualEndpoint/snapshots/${encodeURIComponent(id)}`;
        return {
            kind: "entity",
            status: 201,
            body: { "@odata.context": this.context("deviceManagement/virtualEndpoint/snapshots/$entity"), ...point },
            headers: { Location: location },
        };
    }

    // ---- E8-E11 on a Cloud PC ----
    retrieve(call: RestorePointCall, cloudPcId: string): Answer {
        this.requireRoute("retrieveSnapshots", "retrieveSnapshots");
        const items = this.store.list(this.cloudPc(cloudPcId), this.view(call));
        return { kind: "page", items, context: "Collection(microsoft.graph.cloudPcSnapshot)", select: true };
    }

    /** Asynchronous like the service: 204 now, the restore point shows up (ready) in the lists later. */
    create(call: RestorePointCall, cloudPcId: string): Answer {
        const id = this.cloudPc(cloudPcId);
        const body = call.body;
        let storageAccountId: string | undefined;
        let accessTier: string | undefined;
        if (body !== undefined && body !== null) {
            if (!isRecord(body)) throw new GraphError(400, "The request body must be a JSON object.", "BadRequest");
            storageAccountId = this.storageAccount(body["storageAccountId"], false);
            accessTier = this.accessTier(body["accessTier"]);
            if (storageAccountId) this.requireTierAllowed(storageAccountId, accessTier ?? "hot");
        }
        const delay = this.runtime.snapshotDurationMs ?? this.runtime.importDurationMs;
        this.store.create(id, "manual", delay, {
            storageAccountId,
            accessTier,
            retentionDays: this.runtime.snapshotRetentionDays,
        });
        return { kind: "empty" };
    }

    restore(call: RestorePointCall, cloudPcId: string): Answer {
        const id = this.cloudPc(cloudPcId);
        const snapshotId = this.snapshotIdFrom(call.body);
        if (!this.store.restore(id, snapshotId)) throw this.unknownSnapshot(snapshotId, id);
        return { kind: "empty" };
    }

    share(call: RestorePointCall, cloudPcId: string): Answer {
        const id = this.cloudPc(cloudPcId);
        const snapshotId = this.snapshotIdFrom(call.body);
        const body = call.body as Record<string, unknown>;
        const account = this.storageAccount(body["storageAccountId"], true)!;
        const tier = this.accessTier(body["accessTier"]) ?? "hot";
        this.requireTierAllowed(account, tier);
        if (!this.store.share(id, snapshotId, account, tier)) throw this.unknownSnapshot(snapshotId, id);
        return { kind: "empty" };
    }

    // ---- helpers ----
    private view(call: RestorePointCall): ListView {
        return {
            pendingStatus: this.runtime.pendingSnapshotStatus,
            includeUnknownEnumMembers: /include-unknown-enum-members/i.test(call.prefer ?? ""),
        };
    }

    private context(fragment: string): string {
        return `${this.origin}/beta/$metadata#${fragment}`;
    }

    private cloudPc(id: string): string {
        if (!isGuid(id) || this.store.isDeprovisioned(id))
            throw new GraphError(404, `The Cloud PC '${id}' was not found.`, "itemNotFound");
        return id;
    }

    private snapshotIdFrom(body: unknown): string {
        const id = isRecord(body) ? body["cloudPcSnapshotId"] : undefined;
        if (typeof id !== "string" || id === "")
            throw new GraphError(
                400,
                "'cloudPcSnapshotId' is required: the id of one of this Cloud PC's snapshots.",
                "BadRequest",
            );
        return id;
    }

    private unknownSnapshot(snapshotId: string, cloudPcId: string): GraphError {
        return new GraphError(
            404,
            `The snapshot '${snapshotId}' of Cloud PC '${cloudPcId}' was not found or is not ready.`,
            "itemNotFound",
        );
    }

    private storageAccount(value: unknown, required: boolean): string | undefined {
        if (value === undefined || value === null) {
            if (required)
                throw new GraphError(
                    400,
                    "'storageAccountId' is required: the storage account's Azure resource id.",
                    "BadRequest",
                );
            return undefined;
        }
        if (typeof value !== "string" || !STORAGE_ACCOUNT_ID_RE.test(value)) {
            throw new GraphError(
                400,
                "'storageAccountId' must be a storage account's Azure resource id.",
                "BadRequest",
            );
        }
        if (!isOfferedStorageAccount(this.runtime.subscriptions, value)) {
            throw new GraphError(
                400,
                `Windows 365 has no access to the storage account '${value}'. Use one that getStorageAccounts lists.`,
                "BadRequest",
            );
        }
        return value;
    }

    /** cloudPcForensicStorageAccount.immutableStorage: such an account "only accepts hot as the snapshot access tier". */
    private requireTierAllowed(storageAccountId: string, tier: string): void {
        if (tier !== "hot" && offeredStorageAccount(this.runtime.subscriptions, storageAccountId)?.immutableStorage) {
            throw new GraphError(
                400,
                `The storage account '${storageAccountId}' has immutable storage: only the 'hot' access tier is accepted.`,
                "BadRequest",
            );
        }
    }

    private accessTier(value: unknown): string | undefined {
        if (value === undefined || value === null) return undefined;
        if (!ACCESS_TIERS.includes(String(value))) {
            throw new GraphError(
                400,
                `Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.cloudPcBlobAccessTier'.`,
                "BadRequest",
            );
        }
        return String(value);
    }
}
