// Imports sent but not yet known to be in a stack's state, noted on local disk. When the provider process or the
// Pulumi CLI is killed between importSnapshot and the engine recording the result, the engine keeps nothing for the
// resource (at most a pending create) and calls create again on the next `pulumi up`; Graph then answers 409 for
// the user. A note left here says whose that import is: create adopts it only when the note is this resource's own
// (same stack, same resource, same source), and otherwise names the stack that made it. Without a note (another
// machine) the 409 stays an error that names the existing import and the exact fix (adoptSnapshotId).
//
// A note is written before importSnapshot is sent, gets the snapshotId the moment Graph returns it, and stays after
// create returns: create returning says nothing about the engine recording it (the CLI may be gone). It is settled
// when a later operation on the resource (diff, read, update, delete) shows that id, i.e. the id is in a state; or
// dropped at once when nothing was imported.
//
// Best effort: a directory that cannot be written only loses the automatic recovery. Notes hold no secret: hashes
// name the files; inside are the user's object id, the data file's name, a hash of the source, the owner (stack and
// URN), the snapshotId and when the import was sent.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Owner } from "../validation/hidden-input";

/** What identifies one resource's import attempt: the user, the resource (owner) and the source. */
export interface NoteKey {
    userId: string;
    /** The stack and URN the resource class sent; undefined for a caller that sent none. */
    owner?: Owner;
    /** A hash of the source files' locations (never of a SAS token). */
    source: string;
}

export interface PendingImport {
    userId: string;
    owner: Owner | null;
    source: string;
    /** The data file's blob name, which Graph echoes as the record's `filename`. */
    fileName: string;
    /** Set the moment Graph returns it (or a look finds it); null while unknown. */
    snapshotId: string | null;
    /** Epoch ms when importSnapshot was first sent for this key. */
    sentAt: number;
    pid: number;
}

export interface PendingImports {
    /** Every note for this user, of any stack. */
    forUser(userId: string): PendingImport[];
    /** Notes an import about to be sent; keeps the snapshotId an earlier, interrupted attempt recorded. */
    begin(key: NoteKey, fileName: string): void;
    /** Graph returned the import's snapshotId. */
    record(key: NoteKey, snapshotId: string): void;
    /** Nothing was imported (or it was purged again): forget the note. */
    abandon(key: NoteKey): void;
    /** The import is in a stack's state (an operation on the resource showed its id): forget every note of it. */
    settle(userId: string, snapshotId: string): void;
}

/** Notes older than this are ignored (and removed): the run they belong to is long gone from anyone's mind. */
const MAX_AGE_MS = 30 * 24 * 3600_000;

/** `$XDG_STATE_HOME/cloudpc-pulumi/pending-imports`, by default `~/.local/state/cloudpc-pulumi/pending-imports`. */
export function defaultPendingImportsDir(env: NodeJS.ProcessEnv = process.env): string {
    const state =
        env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)
            ? env.XDG_STATE_HOME
            : path.join(os.homedir(), ".local", "state");
    return path.join(state, "cloudpc-pulumi", "pending-imports");
}

/** Same stack (organization, project, stack): both null counts as the same (callers that sent no owner). */
export function sameStack(a: Owner | null | undefined, b: Owner | null | undefined): boolean {
    if (!a || !b) return !a && !b;
    return a.organization === b.organization && a.project === b.project && a.stack === b.stack;
}

/** Same resource: same stack and same URN (a URN that could not be computed matches any). */
export function sameResource(a: Owner | null | undefined, b: Owner | null | undefined): boolean {
    return sameStack(a, b) && (!a || !b || a.urn === "" || b.urn === "" || a.urn === b.urn);
}

const hash = (parts: unknown): string => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);

export class PendingImportsJournal implements PendingImports {
    private swept = false;

    /**
     * @param scope what else tells notes apart besides user, owner and source: Graph endpoint and tenant.
     * @param onError told (once per failure) when the journal cannot be read or written.
     */
    constructor(
        readonly dir: string,
        private readonly scope: readonly string[],
        private readonly onError: (message: string) => void = () => undefined,
    ) {}

    forUser(userId: string): PendingImport[] {
        const dir = this.userDir(userId);
        let names: string[];
        try {
            names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT")
                this.onError(`cannot read ${dir}: ${(err as Error).message}`);
            return [];
        }
        return names.map((n) => this.read(path.join(dir, n))).filter((e): e is PendingImport => e !== undefined);
    }

    begin(key: NoteKey, fileName: string): void {
        this.sweepOnce();
        const earlier = this.read(this.file(key));
        this.write(key, {
            userId: key.userId.toLowerCase(),
            owner: key.owner ?? null,
            source: key.source,
            fileName,
            snapshotId: earlier?.snapshotId ?? null,
            sentAt: earlier?.sentAt ?? Date.now(),
            pid: process.pid,
        });
    }

    record(key: NoteKey, snapshotId: string): void {
        const note = this.read(this.file(key));
        if (note) this.write(key, { ...note, snapshotId, pid: process.pid });
    }

    abandon(key: NoteKey): void {
        this.remove(this.file(key));
    }

    settle(userId: string, snapshotId: string): void {
        for (const note of this.forUser(userId)) {
            if (note.snapshotId?.toLowerCase() === snapshotId.toLowerCase()) this.remove(this.file(note));
        }
    }

    private read(file: string): PendingImport | undefined {
        let note: PendingImport;
        try {
            note = JSON.parse(fs.readFileSync(file, "utf8")) as PendingImport;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT")
                this.onError(`cannot read ${file}: ${(err as Error).message}`);
            return undefined;
        }
        if (
            typeof note !== "object" ||
            note === null ||
            typeof note.source !== "string" ||
            !(Date.now() - note.sentAt < MAX_AGE_MS)
        ) {
            this.remove(file); // too old, or a note of an older version of this package
            return undefined;
        }
        return note;
    }

    private write(key: NoteKey, note: PendingImport): void {
        const file = this.file(key);
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify(note), { mode: 0o600 });
            fs.renameSync(tmp, file);
        } catch (err) {
            this.onError(`cannot write ${file}: ${(err as Error).message}`);
        }
    }

    /** Once per process: notes past MAX_AGE_MS (of any scope) go, so the directory does not grow forever. */
    private sweepOnce(): void {
        if (this.swept) return;
        this.swept = true;
        const cutoff = Date.now() - MAX_AGE_MS;
        const sweep = (dir: string, depth: number): void => {
            let names: string[];
            try {
                names = fs.readdirSync(dir);
            } catch {
                return; // not there yet, or gone meanwhile
            }
            for (const name of names) {
                const p = path.join(dir, name);
                try {
                    const st = fs.statSync(p);
                    if (st.isDirectory() && depth === 0) {
                        sweep(p, 1);
                        if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
                    } else if (st.isFile() && st.mtimeMs < cutoff) {
                        fs.rmSync(p, { force: true });
                    }
                } catch {
                    // gone meanwhile
                }
            }
        };
        sweep(this.dir, 0);
    }

    private remove(file: string): void {
        try {
            fs.rmSync(file, { force: true });
        } catch (err) {
            this.onError(`cannot remove ${file}: ${(err as Error).message}`);
        }
    }

    /** One directory per user (so a 409 reads only that user's notes), one file per owner and source. */
    private userDir(userId: string): string {
        return path.join(this.dir, hash([...this.scope, userId.toLowerCase()]));
    }

    private file(key: NoteKey | PendingImport): string {
        const owner = key.owner ?? undefined;
        // A caller that sends no owner is told apart by its directory, as before notes knew stacks.
        const whose = owner ? [owner.organization, owner.project, owner.stack, owner.urn] : ["no-owner", process.cwd()];
        return path.join(this.userDir(key.userId), `${hash([...whose, key.source])}.json`);
    }
}
