// The fleet's logic, kept pure so that it can be tested without Pulumi: the text of fleet.yaml in, one import per
// user out. The program (index.ts) only reads the file and declares one CloudPcImportedSnapshot per entry.
//
// Each import is named after its user's object id, because Graph allows one imported snapshot per user: a
// changed blob is then a replacement of the same resource, which purges the old import before importing the new
// one, and nothing a reviewer sees in the file can make two resources fight over one user.
import { isMap, isScalar, LineCounter, parseDocument, type Node } from "yaml";

/** The inputs of one CloudPcImportedSnapshot, as plain values (assignable to CloudPcImportedSnapshotArgs). */
export interface FleetImportArgs {
    assignedUserId: string;
    sourceFiles: { storageBlobInfo: { storageAccountId: string; containerName: string; fileName: string } }[];
    /** The snapshotId of the user's existing import, to manage it instead of importing (see `fleetImports`). */
    adoptSnapshotId?: string;
}

export interface FleetImport {
    /** The Pulumi resource name: the user's object id, lower-case. */
    name: string;
    args: FleetImportArgs;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOP_LEVEL_KEYS = ["storageAccountId", "containerName", "users"];
const USER_KEYS = ["blob", "adoptSnapshotId"];

export class FleetFileError extends Error {}

/**
 * Parses a fleet file:
 *
 *     storageAccountId: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>
 *     containerName: vhds
 *     users:                                            # `users: {}` for none; the key itself is required
 *       93aff428-61f2-467f-a879-1102af6fd4a8: alice-os.vhd   # <user's Entra object id>: <VHD blob in the container>
 *       5b1e2c3d-4f50-4a6b-9c7d-8e9f0a1b2c3d:                # a user who already has an import (portal, script):
 *         blob: bob-os.vhd                                   #   the blob, as above
 *         adoptSnapshotId: 0f3c1a52-9d4e-4b8a-a1c2-3d4e5f607182  # manage that import instead of importing
 *
 * Errors name the file and line. A missing or misspelt `users` key is an error, never an empty fleet: an empty
 * fleet purges every import.
 */
export function fleetImports(text: string, source = "fleet.yaml"): FleetImport[] {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const at = (node: Node | null | undefined): string => {
        const offset = node?.range?.[0];
        return offset === undefined ? source : `${source}:${lines.linePos(offset).line}`;
    };
    if (doc.errors.length > 0) {
        const e = doc.errors[0]!;
        throw new FleetFileError(
            `${source}:${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        );
    }
    const root = doc.contents;
    if (!isMap(root)) throw new FleetFileError(`${source}: expected a mapping with ${TOP_LEVEL_KEYS.join(", ")}`);

    const top = new Map<string, Node | null>();
    for (const pair of root.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!TOP_LEVEL_KEYS.includes(key)) {
            throw new FleetFileError(
                `${at(pair.key as Node)}: unknown key '${key}' (expected ${TOP_LEVEL_KEYS.join(", ")})`,
            );
        }
        top.set(key, (pair.value as Node | null) ?? null);
    }
    const str = (key: string): string => {
        const node = top.get(key);
        if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "") {
            throw new FleetFileError(`${node ? at(node) : source}: '${key}' must be a non-empty string`);
        }
        return node.value.trim();
    };
    const storageAccountId = str("storageAccountId");
    const containerName = str("containerName");
    if (!top.has("users")) throw new FleetFileError(`${source}: no 'users' key (write 'users: {}' for an empty fleet)`);
    const users = top.get("users");
    if (users === null || (isScalar(users) && users.value === null)) return [];
    if (!isMap(users)) throw new FleetFileError(`${at(users)}: 'users' must map user object ids to blob names`);

    const seen = new Map<string, string>();
    const imports: FleetImport[] = [];
    for (const pair of users.items) {
        const keyNode = pair.key as Node;
        const valueNode = pair.value as Node | null;
        const user = isScalar(keyNode) ? String(keyNode.value).trim() : "";
        if (!GUID.test(user)) throw new FleetFileError(`${at(keyNode)}: '${user}' is not a user object id (a GUID)`);
        const name = user.toLowerCase();
        const earlier = seen.get(name);
        if (earlier) throw new FleetFileError(`${at(keyNode)}: user ${name} is already listed at ${earlier}`);
        seen.set(name, at(keyNode));
        const { blob, adoptSnapshotId } = userEntry(valueNode, keyNode, name, at);
        imports.push({
            name,
            args: {
                assignedUserId: name,
                sourceFiles: [{ storageBlobInfo: { storageAccountId, containerName, fileName: blob } }],
                ...(adoptSnapshotId ? { adoptSnapshotId } : {}),
            },
        });
    }
    return imports;
}

/** A user's value: a blob name, or a mapping with `blob` and an optional `adoptSnapshotId` (a GUID). */
function userEntry(
    valueNode: Node | null,
    keyNode: Node,
    name: string,
    at: (n: Node | null | undefined) => string,
): { blob: string; adoptSnapshotId?: string } {
    const nonEmpty = (n: unknown): n is { value: string } =>
        isScalar(n) && typeof n.value === "string" && n.value.trim() !== "";
    const needsBlob = () =>
        new FleetFileError(
            `${at(valueNode ?? keyNode)}: user ${name} needs a blob name (e.g. ${name.slice(0, 8)}-os.vhd)`,
        );
    if (!isMap(valueNode)) {
        if (!nonEmpty(valueNode)) throw needsBlob();
        return { blob: valueNode.value.trim() };
    }
    const fields = new Map<string, Node | null>();
    for (const pair of valueNode.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!USER_KEYS.includes(key)) {
            throw new FleetFileError(
                `${at(pair.key as Node)}: unknown key '${key}' for user ${name} (expected ${USER_KEYS.join(", ")})`,
            );
        }
        fields.set(key, (pair.value as Node | null) ?? null);
    }
    const blob = fields.get("blob");
    if (!nonEmpty(blob)) throw needsBlob();
    if (!fields.has("adoptSnapshotId")) return { blob: blob.value.trim() };
    const adopt = fields.get("adoptSnapshotId");
    const id = isScalar(adopt) ? String(adopt.value ?? "").trim() : "";
    if (!GUID.test(id)) {
        throw new FleetFileError(
            `${at(adopt ?? valueNode)}: user ${name}: adoptSnapshotId '${id}' is not a snapshotId (a GUID)`,
        );
    }
    return { blob: blob.value.trim(), adoptSnapshotId: id.toLowerCase() };
}
