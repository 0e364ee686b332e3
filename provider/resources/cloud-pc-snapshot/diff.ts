// diff(): a restore point cannot be changed, so any change to what is snapshotted replaces the resource.
// waitForCompletion and timeoutMinutes only say how create waits; changing them never takes a new snapshot.
//
// deleteBeforeReplace is false: Graph has no delete for a restore point, so "deleting" the old one only drops it
// from state. Creating first loses nothing (there is no one-per-Cloud-PC rule to respect, unlike imports) and a
// failed create leaves the old restore point in state instead of an empty slot.
import { settingsChanged } from "../../validation/settings-input";
import { isUnknown } from "../../validation/unknown";

export interface DiffResult {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** Case-insensitive: Cloud PC ids are GUIDs and ARM ids are case-insensitive. */
function same(a: unknown, b: unknown): boolean {
    const norm = (v: unknown) =>
        v === undefined || v === null || v === "" ? null : typeof v === "string" ? v.toLowerCase() : v;
    return norm(a) === norm(b);
}

export function diffCloudPcSnapshot(olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
    const replaces = ["cloudPcId", "storageAccountId", "accessTier"].filter(
        (k) => isUnknown(news[k]) || !same(olds[k], news[k]),
    );
    // A Cloud PC of another tenant is another Cloud PC.
    if (settingsChanged(olds, news)) replaces.push("settings");
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}
