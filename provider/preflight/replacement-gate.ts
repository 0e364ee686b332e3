// Where the preflight runs. diff() sees every replacement the provider itself decides (any change of what is
// imported) with both old and new inputs, in preview and in up: a definite objection fails the diff, so
// `pulumi preview` shows it and `pulumi up` stops before any step for the resource. Replacements the engine forces
// without asking diff (--replace, a tainted resource, replaceWith/deletedWith, when deleteBeforeReplace is set on
// the resource) still go through check(news) and then delete(): check notes the user's new inputs, and
// delete() runs the preflight right before the purge. (docs/RELIABILITY.md lists what neither path covers.)
import type { TokenCredential } from "@azure/identity";
import type { ProviderSettings } from "../config/settings";
import type { Progress } from "../runtime/progress";
import type { ImportedSnapshotInputs } from "../resources/imported-snapshot/types";
import { preflightImport, type PreflightDeps, type PreflightVerdict } from "./preflight";

export class ReplacementRefusedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReplacementRefusedError";
    }
}

export interface GateContext {
    settings: ProviderSettings;
    progress: Progress;
    now?: () => number;
    /** The credential storage is read with (the runtime's own); undefined: the read is "could not be checked". */
    credential(): TokenCredential | undefined;
    read?: PreflightDeps["read"];
    httpClient?: PreflightDeps["httpClient"];
}

/**
 * Throws ReplacementRefusedError when the new source draws a definite objection (or, under
 * verifiedReplacementsOnly, when it could not be verified); warns about doubts otherwise.
 */
export async function gateReplacement(
    ctx: GateContext,
    snapshotId: string,
    inputs: ImportedSnapshotInputs,
): Promise<PreflightVerdict> {
    const verdict = await preflightImport(inputs, {
        now: ctx.now ?? Date.now,
        storageEndpoint: ctx.settings.storageEndpoint,
        credential: ctx.credential,
        read: ctx.read,
        httpClient: ctx.httpClient,
    });
    const who = `Replacing import ${snapshotId} of user ${inputs.assignedUserId}`;
    const kept = `Nothing was purged: the user's import ${snapshotId} and the stack's state are as they were.`;
    if (verdict.objections.length > 0) {
        throw new ReplacementRefusedError(
            `${who} was refused before purging it, because the new source cannot be imported:\n` +
                `${verdict.objections.map((o) => `  - ${o}`).join("\n")}\n${kept} Fix the source, then run pulumi up again.`,
        );
    }
    if (verdict.doubts.length > 0 && ctx.settings.verifiedReplacementsOnly) {
        throw new ReplacementRefusedError(
            `${who} was refused before purging it: cloudpc:verifiedReplacementsOnly is set and ` +
                `the new source could not be verified:\n${verdict.doubts.map((d) => `  - ${d}`).join("\n")}\n${kept}`,
        );
    }
    for (const d of verdict.doubts) {
        ctx.progress.warn(
            `${who}: ${d}. Going ahead; if Windows 365 rejects the file after the purge, the user has no ` +
                `imported snapshot until a good one is imported (set cloudpc:verifiedReplacementsOnly to refuse instead).`,
        );
    }
    return verdict;
}

/**
 * The new inputs check() saw (in one runtime), keyed by their user (one import per user, so the user names the resource). The
 * engine checks a resource it replaces by force (--replace, taint) without its old inputs, and never asks diff; it
 * then deletes the old import and creates the new one. So: diff() forgets the note (it gates the replacements it
 * decides itself; a resource it does not replace is not deleted in that run) and so does create() (the import is
 * made); a note still there when delete() purges that user's import means the import is being replaced.
 */
export class ReplacementWatch {
    private readonly byUser = new Map<string, ImportedSnapshotInputs>();

    note(inputs: ImportedSnapshotInputs): void {
        if (inputs.adoptSnapshotId) return; // adopting imports nothing: there is no new source to check
        this.byUser.set(inputs.assignedUserId.toLowerCase(), inputs);
    }

    forget(user: unknown): void {
        if (typeof user === "string") this.byUser.delete(user.toLowerCase());
    }

    /** The new inputs of a replacement of `user`'s import, if check() saw one in this process. */
    replacementOf(user: unknown): ImportedSnapshotInputs | undefined {
        return typeof user === "string" ? this.byUser.get(user.toLowerCase()) : undefined;
    }
}
