// Cloud PC restore points (cloudPcSnapshot, E6-E11). Any GUID is an existing Cloud PC unless deprovisioned through
// the store. createSnapshot starts a restore point that becomes `ready` after a delay; until then it is hidden
// (`cloudPcSnapshotStatus` has no in-progress member), or listed with a chosen placeholder status when the
// `pendingSnapshotStatus` option asks for it. State is computed from the clock on every read, like imports.
import type { CloudPcSnapshot } from "../provider/snapshots/types";
import { newGuid } from "./http";

export type RestorePointType = "manual" | "automatic" | "retention";
export type HealthCheckStatus = "unknown" | "healthy" | "unhealthy";

/** A copy of a restore point in a customer storage account (createSnapshot's body, or shareSnapshot). */
export interface StorageCopy {
    storageAccountId: string;
    accessTier: string;
    via: "createSnapshot" | "shareSnapshot";
    at: string;
}

/** Everything the emulator knows about a restore point: the Graph view plus internal fields. */
export interface RestorePointRecord extends CloudPcSnapshot {
    /** Internal: when it becomes `ready` (ISO). */
    readyAt: string;
    /** Internal: copies in customer storage accounts. */
    storageCopies: StorageCopy[];
}

export interface NewRestorePoint {
    /** Copy the restore point to this storage account once ready. */
    storageAccountId?: string;
    accessTier?: string;
    /** Days until a manual restore point expires; null = never (expirationDateTime null). */
    retentionDays?: number | null;
    now?: number;
}

export interface ListView {
    /** Status shown for restore points not ready yet; undefined/null hides them (the default). */
    pendingStatus?: string | null;
    /** The request said `Prefer: include-unknown-enum-members`: show `retention` instead of `unknownFutureValue`. */
    includeUnknownEnumMembers?: boolean;
}

export interface RestorePointStore {
    /** Restore points Graph would list (ready, not expired), optionally of one Cloud PC. */
    list(cloudPcId?: string, view?: ListView): CloudPcSnapshot[];
    get(id: string, view?: ListView): CloudPcSnapshot | undefined;
    /** Starts a restore point; returns its id (Graph's createSnapshot does not). */
    create(cloudPcId: string, snapshotType: RestorePointType, delayMs: number, more?: NewRestorePoint): string;
    /** restore (E10): sets lastRestoredDateTime. False when unknown, not ready, expired or another Cloud PC's. */
    restore(cloudPcId: string, id: string): boolean;
    /** shareSnapshot (E11): records a copy in a storage account. False when the restore point is not shareable. */
    share(cloudPcId: string, id: string, storageAccountId: string, accessTier: string): boolean;
    /** Every record, pending and expired ones included, with the internal fields (for tests and the control routes). */
    records(cloudPcId?: string): RestorePointRecord[];
    /** Sets expirationDateTime to now: Windows 365 expired it, so lists and reads stop showing it. */
    expire(id: string): void;
    setHealth(id: string, status: HealthCheckStatus): void;
    /** Makes a restore point ready now: tests give one a long duration and finish it when they choose. */
    finish(id: string): void;
    /** Marks the Cloud PC as deprovisioned: its routes answer 404 from now on. */
    deprovision(cloudPcId: string): void;
    isDeprovisioned(cloudPcId: string): boolean;
    clear(): void;
}

interface StoredRestorePoint {
    id: string;
    cloudPcId: string;
    snapshotType: RestorePointType;
    createdAt: number;
    readyAt: number;
    expiresAt: number | null;
    health: HealthCheckStatus;
    lastRestoredAt: number | null;
    storageCopies: StorageCopy[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** `retention` restore points are kept 90 days (contract §2.6). */
const RETENTION_TYPE_DAYS = 90;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Graph's evolvable enums (beta metadata): members declared before `unknownFutureValue` go to every client; any
 * other member (declared after it, as `retention` is, or added later) only with `Prefer: include-unknown-enum-members`,
 * and as `unknownFutureValue` otherwise.
 */
const ALWAYS_SENT = {
    status: ["ready", "unknownFutureValue"],
    snapshotType: ["automatic", "manual", "unknownFutureValue"],
    healthCheckStatus: ["unknown", "healthy", "unhealthy", "unknownFutureValue"],
} as const;

function evolvable(value: string, always: readonly string[], view: ListView): string {
    return always.includes(value) || view.includeUnknownEnumMembers ? value : "unknownFutureValue";
}

export class InMemoryRestorePoints implements RestorePointStore {
    private readonly points: StoredRestorePoint[] = [];
    private readonly gone = new Set<string>();

    list(cloudPcId?: string, view: ListView = {}): CloudPcSnapshot[] {
        const now = Date.now();
        const wanted = cloudPcId?.toLowerCase();
        return this.points
            .filter((p) => (wanted === undefined || p.cloudPcId === wanted) && this.visible(p, now, view))
            .map((p) => this.toGraph(p, now, view));
    }

    get(id: string, view: ListView = {}): CloudPcSnapshot | undefined {
        const now = Date.now();
        const point = this.find(id);
        return point && this.visible(point, now, view) ? this.toGraph(point, now, view) : undefined;
    }

    create(cloudPcId: string, snapshotType: RestorePointType, delayMs: number, more: NewRestorePoint = {}): string {
        const now = more.now ?? Date.now();
        const pc = cloudPcId.toLowerCase();
        const id = `CPC_${pc}_${newGuid()}`;
        const days =
            snapshotType === "retention"
                ? RETENTION_TYPE_DAYS
                : snapshotType === "manual"
                  ? (more.retentionDays ?? null)
                  : null;
        const readyAt = now + delayMs;
        this.points.push({
            id,
            cloudPcId: pc,
            snapshotType,
            // When it was taken: the request's time (ids of restore points taken after a request sort after it).
            createdAt: now,
            readyAt,
            expiresAt: days === null ? null : now + days * DAY_MS,
            health: "healthy",
            lastRestoredAt: null,
            storageCopies: more.storageAccountId
                ? [
                      {
                          storageAccountId: more.storageAccountId,
                          accessTier: more.accessTier ?? "hot",
                          via: "createSnapshot",
                          at: new Date(readyAt).toISOString(),
                      },
                  ]
                : [],
        });
        return id;
    }

    restore(cloudPcId: string, id: string): boolean {
        const point = this.find(id);
        if (!point || point.cloudPcId !== cloudPcId.toLowerCase() || !this.visible(point, Date.now(), {})) return false;
        point.lastRestoredAt = Date.now();
        return true;
    }

    share(cloudPcId: string, id: string, storageAccountId: string, accessTier: string): boolean {
        const point = this.find(id);
        if (!point || point.cloudPcId !== cloudPcId.toLowerCase() || !this.visible(point, Date.now(), {})) return false;
        point.storageCopies.push({ storageAccountId, accessTier, via: "shareSnapshot", at: new Date().toISOString() });
        return true;
    }

    records(cloudPcId?: string): RestorePointRecord[] {
        const now = Date.now();
        const wanted = cloudPcId?.toLowerCase();
        return this.points
            .filter((p) => wanted === undefined || p.cloudPcId === wanted)
            .map((p) => ({
                ...this.toGraph(p, now, { pendingStatus: "notReady", includeUnknownEnumMembers: true }),
                readyAt: new Date(p.readyAt).toISOString(),
                storageCopies: p.storageCopies.map((c) => ({ ...c })),
            }));
    }

    expire(id: string): void {
        this.must(id).expiresAt = Date.now() - 1;
    }

    setHealth(id: string, status: HealthCheckStatus): void {
        this.must(id).health = status;
    }

    finish(id: string): void {
        const p = this.must(id);
        p.readyAt = Math.min(p.readyAt, Date.now());
    }

    deprovision(cloudPcId: string): void {
        this.gone.add(cloudPcId.toLowerCase());
    }

    isDeprovisioned(cloudPcId: string): boolean {
        return this.gone.has(cloudPcId.toLowerCase());
    }

    clear(): void {
        this.points.length = 0;
        this.gone.clear();
    }

    private find(id: string): StoredRestorePoint | undefined {
        return this.points.find((p) => p.id.toLowerCase() === id.toLowerCase());
    }

    private must(id: string): StoredRestorePoint {
        const point = this.find(id);
        if (!point) throw new Error(`no restore point '${id}'`);
        return point;
    }

    private visible(p: StoredRestorePoint, now: number, view: ListView): boolean {
        if (p.expiresAt !== null && p.expiresAt <= now) return false;
        return p.readyAt <= now || (view.pendingStatus !== undefined && view.pendingStatus !== null);
    }

    private toGraph(p: StoredRestorePoint, now: number, view: ListView): CloudPcSnapshot {
        const ready = p.readyAt <= now;
        return {
            id: p.id,
            cloudPcId: p.cloudPcId,
            status: ready ? "ready" : evolvable(String(view.pendingStatus), ALWAYS_SENT.status, view),
            createdDateTime: new Date(p.createdAt).toISOString(),
            lastRestoredDateTime: iso(p.lastRestoredAt),
            // `retention` sits after unknownFutureValue in the enum: Graph sends it only to clients that opt in.
            snapshotType: evolvable(p.snapshotType, ALWAYS_SENT.snapshotType, view),
            expirationDateTime: iso(p.expiresAt),
            // The health check runs on the finished restore point; until then Graph's default applies.
            healthCheckStatus: evolvable(ready ? p.health : "unknown", ALWAYS_SENT.healthCheckStatus, view),
        };
    }
}
