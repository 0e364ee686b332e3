// Imported snapshot records and their state machine: pending -> inProgress -> succeeded | failed.
// State is computed from elapsed time on every read (no timers), so it is deterministic and needs no cleanup.
import type {
    CloudPcSnapshotImportActionDetail,
    CloudPcSnapshotImportActionResult,
    ImportStatus,
    ImportedSnapshotUsage,
} from "../provider/snapshots/types";
import { newGuid } from "./http";
import type { BlobField, ParsedImportRequest } from "./import-request";

/** A record as the emulator sees it: the Graph fields plus emulator-internal ones (never sent to Graph clients). */
export interface ImportRecord {
    snapshotId: string;
    filename: string;
    assignedUserPrincipalName: string;
    policyName: string | null;
    importStatus: ImportStatus;
    usageStatus: ImportedSnapshotUsage;
    startDateTime: string;
    endDateTime: string | null;
    additionalDetail: string | null;
    /** Internal: the user's object id (Graph returns only assignedUserPrincipalName). */
    assignedUserId: string;
    /** Internal: which field named the data file: "fileName", "blobName" (alias) or "sasUrl". */
    blobField: BlobField;
    /** Internal: the request's sourceFiles, SAS signatures redacted. */
    sourceFiles: CloudPcSnapshotImportActionDetail[];
}

export interface ImportStore {
    list(): ImportRecord[];
    get(id: string): ImportRecord | undefined;
    /** The user's records: at most one, since Graph allows one imported snapshot per user (an array for easy assertions). */
    byUser(userId: string): ImportRecord[];
    /** Pins the status (it stops advancing); terminal statuses set endDateTime, `failed` also additionalDetail. */
    setStatus(id: string, status: ImportStatus, detail?: string): void;
    /** Marks a record as used by a provisioned Cloud PC (purge then answers 409). */
    markInUse(id: string): void;
    /** Sets usageStatus to any value (e.g. "expired"). */
    setUsage(id: string, usage: ImportedSnapshotUsage): void;
    remove(id: string): boolean;
    clear(): void;
}

interface Outcome {
    status: "succeeded" | "failed";
    detail: string | null;
}

interface StoredImport {
    snapshotId: string;
    assignedUserId: string;
    userPrincipalName: string;
    policyName: string | null;
    filename: string;
    blobField: BlobField;
    sourceFiles: CloudPcSnapshotImportActionDetail[];
    createdAt: number;
    /** Captured at creation so later option changes do not rewrite history. */
    durationMs: number;
    outcome: Outcome;
    pinned: { status: ImportStatus; detail: string | null; at: number } | undefined;
    usage: ImportedSnapshotUsage;
}

export interface NewImport {
    request: ParsedImportRequest;
    userPrincipalName: string;
    policyName: string | null;
    hasProvisioningPolicy: boolean;
    durationMs: number;
}

/** Why an import fails, decided at creation from the file name and the user's policy (the real service fails such imports asynchronously). */
function outcomeFor(n: NewImport): Outcome {
    const name = n.request.dataFile.name;
    if (/corrupt|dynamic/i.test(name)) {
        return {
            status: "failed",
            detail: `The source file '${name}' is not a fixed-size VHD or is damaged. Convert the disk to a fixed-size VHD (for example Convert-VHD -VHDType Fixed) and import again.`,
        };
    }
    if (!n.hasProvisioningPolicy) {
        return {
            status: "failed",
            detail: `The user '${n.userPrincipalName}' has no provisioning policy assigned. Assign a Windows 365 provisioning policy to the user and import again.`,
        };
    }
    return { status: "succeeded", detail: null };
}

const TERMINAL = new Set<string>(["succeeded", "failed"]);

export class InMemoryImportStore implements ImportStore {
    private readonly records = new Map<string, StoredImport>();

    create(n: NewImport, now = Date.now()): ImportRecord {
        const stored: StoredImport = {
            snapshotId: newGuid(),
            assignedUserId: n.request.assignedUserId,
            userPrincipalName: n.userPrincipalName,
            policyName: n.policyName,
            filename: n.request.dataFile.name,
            blobField: n.request.dataFile.field,
            sourceFiles: [
                n.request.dataFile.redacted,
                ...(n.request.guestStateFile ? [n.request.guestStateFile.redacted] : []),
            ],
            createdAt: now,
            durationMs: n.durationMs,
            outcome: outcomeFor(n),
            pinned: undefined,
            usage: "notUsed",
        };
        this.records.set(stored.snapshotId, stored);
        return this.view(stored, now);
    }

    list(): ImportRecord[] {
        const now = Date.now();
        return [...this.records.values()].map((r) => this.view(r, now));
    }

    get(id: string): ImportRecord | undefined {
        const r = this.records.get(id.toLowerCase());
        return r && this.view(r, Date.now());
    }

    byUser(userId: string): ImportRecord[] {
        const wanted = userId.toLowerCase();
        const now = Date.now();
        return [...this.records.values()].filter((r) => r.assignedUserId === wanted).map((r) => this.view(r, now));
    }

    setStatus(id: string, status: ImportStatus, detail?: string): void {
        const r = this.must(id);
        const fallback = status === "failed" ? "The import failed (set by the emulator's test controls)." : null;
        r.pinned = { status, detail: detail ?? fallback, at: Date.now() };
    }

    markInUse(id: string): void {
        this.must(id).usage = "inUse";
    }

    setUsage(id: string, usage: ImportedSnapshotUsage): void {
        this.must(id).usage = usage;
    }

    remove(id: string): boolean {
        return this.records.delete(id.toLowerCase());
    }

    clear(): void {
        this.records.clear();
    }

    /** The record as Graph returns it (no emulator-internal fields; snapshotId always present, contract I-4). */
    static toGraph(r: ImportRecord): CloudPcSnapshotImportActionResult {
        return {
            snapshotId: r.snapshotId,
            filename: r.filename,
            assignedUserPrincipalName: r.assignedUserPrincipalName,
            policyName: r.policyName,
            importStatus: r.importStatus,
            usageStatus: r.usageStatus,
            startDateTime: r.startDateTime,
            endDateTime: r.endDateTime,
            additionalDetail: r.additionalDetail,
        };
    }

    private must(id: string): StoredImport {
        const r = this.records.get(id.toLowerCase());
        if (!r) throw new Error(`no imported snapshot with id '${id}'`);
        return r;
    }

    private view(r: StoredImport, now: number): ImportRecord {
        let status: ImportStatus;
        let end: number | null = null;
        let detail: string | null = null;
        if (r.pinned) {
            status = r.pinned.status;
            if (TERMINAL.has(status)) end = r.pinned.at;
            if (status === "failed") detail = r.pinned.detail;
        } else {
            const elapsed = now - r.createdAt;
            if (elapsed >= r.durationMs) {
                status = r.outcome.status;
                end = r.createdAt + r.durationMs;
                detail = r.outcome.detail;
            } else {
                status = elapsed < r.durationMs / 3 ? "pending" : "inProgress";
            }
        }
        return {
            snapshotId: r.snapshotId,
            filename: r.filename,
            assignedUserPrincipalName: r.userPrincipalName,
            policyName: r.policyName,
            importStatus: status,
            usageStatus: r.usage,
            startDateTime: new Date(r.createdAt).toISOString(),
            endDateTime: end === null ? null : new Date(end).toISOString(),
            additionalDetail: detail,
            assignedUserId: r.assignedUserId,
            blobField: r.blobField,
            sourceFiles: structuredClone(r.sourceFiles),
        };
    }
}
