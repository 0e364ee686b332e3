// Imports sent but not yet settled, noted on local disk. When the provider process (or the Pulumi CLI) is killed
// between importSnapshot and the engine recording the result, the engine keeps nothing for the resource (at most
// a pending create) and calls create again on the next `pulumi up`; Graph then answers 409 for the user. An entry
// left here says that import is this resource's own, so create can adopt it instead of leaving the user stuck on
// Graph's one-import-per-user rule. Without the entry (another machine, another stack's import) the 409 stays an
// error that names the existing import and the exact fix (adoptSnapshotId).
//
// Best effort: a directory that cannot be written only loses the automatic recovery. Entries hold no secret: a
// hash names the file; inside are the user's object id, the data file's name and when the import was sent.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface PendingImport {
    userId: string;
    fileName: string;
    /** Epoch ms when importSnapshot was first sent. */
    sentAt: number;
    pid: number;
}

/** How create uses the journal; the context binds it to one Graph endpoint, tenant and project directory. */
export interface PendingImports {
    /** The entry of an earlier run for this user and file, if one was left unsettled. */
    get(userId: string, fileName: string): PendingImport | undefined;
    /** Notes an import about to be sent. */
    begin(userId: string, fileName: string): void;
    /** The engine knows the outcome (the resource is in state, or nothing was imported): forget the entry. */
    settle(userId: string, fileName: string): void;
}

/** Entries older than this are ignored (and removed): the run they belong to is long gone from anyone's mind. */
const MAX_AGE_MS = 30 * 24 * 3600_000;

/** `$XDG_STATE_HOME/cloudpc-pulumi/pending-imports`, by default `~/.local/state/cloudpc-pulumi/pending-imports`. */
export function defaultPendingImportsDir(env: NodeJS.ProcessEnv = process.env): string {
    const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), ".local", "state");
    return path.join(state, "cloudpc-pulumi", "pending-imports");
}

export class PendingImportsJournal implements PendingImports {
    private swept = false;

    /**
     * @param scope what else tells runs apart besides user and file: Graph endpoint, tenant, project directory.
     * @param onError told (once per failure) when the journal cannot be read or written.
     */
    constructor(private readonly dir: string, private readonly scope: readonly string[], private readonly onError: (message: string) => void = () => undefined) {}

    get(userId: string, fileName: string): PendingImport | undefined {
        const file = this.file(userId, fileName);
        let entry: PendingImport;
        try {
            entry = JSON.parse(fs.readFileSync(file, "utf8")) as PendingImport;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.onError(`cannot read ${file}: ${(err as Error).message}`);
            return undefined;
        }
        if (!(Date.now() - entry.sentAt < MAX_AGE_MS)) {
            this.remove(file);
            return undefined;
        }
        return entry;
    }

    begin(userId: string, fileName: string): void {
        this.sweepOnce();
        const file = this.file(userId, fileName);
        const entry: PendingImport = { userId: userId.toLowerCase(), fileName, sentAt: Date.now(), pid: process.pid };
        try {
            fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
            fs.renameSync(tmp, file);
        } catch (err) {
            this.onError(`cannot write ${file}: ${(err as Error).message}`);
        }
    }

    settle(userId: string, fileName: string): void {
        this.remove(this.file(userId, fileName));
    }

    /** Once per process: entries past MAX_AGE_MS (of any scope) go, so the directory does not grow forever. */
    private sweepOnce(): void {
        if (this.swept) return;
        this.swept = true;
        let names: string[];
        try {
            names = fs.readdirSync(this.dir);
        } catch {
            return; // not there yet
        }
        const cutoff = Date.now() - MAX_AGE_MS;
        for (const name of names) {
            const file = path.join(this.dir, name);
            try {
                if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
            } catch {
                // gone meanwhile
            }
        }
    }

    private remove(file: string): void {
        try {
            fs.rmSync(file, { force: true });
        } catch (err) {
            this.onError(`cannot remove ${file}: ${(err as Error).message}`);
        }
    }

    private file(userId: string, fileName: string): string {
        const key = createHash("sha256").update(JSON.stringify([...this.scope, userId.toLowerCase(), fileName.toLowerCase()])).digest("hex");
        return path.join(this.dir, `${key.slice(0, 32)}.json`);
    }
}
