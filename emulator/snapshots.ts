// Cloud PC restore points (cloudPcSnapshot, E6-E9). Deliberately small: any GUID is an existing Cloud PC,
// createSnapshot makes a `manual` restore point that appears (status `ready`) after a delay. A later issue deepens this.
import type { CloudPcSnapshot } from "../provider/snapshots/types";
import { newGuid } from "./http";

interface StoredRestorePoint {
    snapshot: CloudPcSnapshot;
    /** Epoch ms from which it is listed; `cloudPcSnapshotStatus` has no in-progress member, so it stays hidden until then. */
    readyAt: number;
}

export interface RestorePointStore {
    /** Ready restore points, optionally of one Cloud PC. */
    list(cloudPcId?: string): CloudPcSnapshot[];
    get(id: string): CloudPcSnapshot | undefined;
    /** Starts a restore point; returns its id (Graph's createSnapshot does not). */
    create(cloudPcId: string, snapshotType: "manual" | "automatic", delayMs: number): string;
    clear(): void;
}

export class InMemoryRestorePoints implements RestorePointStore {
    private readonly points: StoredRestorePoint[] = [];

    list(cloudPcId?: string): CloudPcSnapshot[] {
        const now = Date.now();
        const wanted = cloudPcId?.toLowerCase();
        return this.points
            .filter((p) => p.readyAt <= now && (wanted === undefined || p.snapshot.cloudPcId === wanted))
            .map((p) => ({ ...p.snapshot }));
    }

    get(id: string): CloudPcSnapshot | undefined {
        const point = this.points.find((p) => p.snapshot.id.toLowerCase() === id.toLowerCase() && p.readyAt <= Date.now());
        return point && { ...point.snapshot };
    }

    create(cloudPcId: string, snapshotType: "manual" | "automatic", delayMs: number): string {
        const readyAt = Date.now() + delayMs;
        const id = `CPC_${cloudPcId.toLowerCase()}_${newGuid()}`;
        this.points.push({
            readyAt,
            snapshot: {
                id,
                cloudPcId: cloudPcId.toLowerCase(),
                status: "ready",
                createdDateTime: new Date(readyAt).toISOString(),
                lastRestoredDateTime: null,
                snapshotType,
                expirationDateTime: null,
                healthCheckStatus: "healthy",
            },
        });
        return id;
    }

    clear(): void {
        this.points.length = 0;
    }
}
