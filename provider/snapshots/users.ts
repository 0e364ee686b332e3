// Which import records belong to a user. Graph reports the user of an import as a UPN
// (`assignedUserPrincipalName`), while the import takes the object id: the UPN is read with
// GET /users/{id}?$select=userPrincipalName (User.ReadBasic.All), once per user and client.
import type { GraphClient } from "../graph/client";
import { GraphError } from "../graph/errors";
import type { CloudPcSnapshotImportActionResult } from "./types";

/** What a UPN look-up gave: the UPN, or why there is none (the caller falls back to file name and time). */
export type UpnLookup = { upn: string } | { refused: string; transient?: boolean };

/** Users' UPNs as one client read them, each user once (a transient failure is not remembered). */
export class UserDirectory {
    private readonly upns = new Map<string, Promise<UpnLookup>>();

    constructor(private readonly client: GraphClient) {}

    /** The user's UPN; a refusal (403: the app lacks User.ReadBasic.All) or a missing user is reported, not thrown. */
    upn(userId: string): Promise<UpnLookup> {
        const key = userId.toLowerCase();
        let pending = this.upns.get(key);
        if (!pending) {
            pending = readUpn(this.client, key);
            this.upns.set(key, pending);
            // readUpn never rejects.
            void pending.then((r) => "transient" in r && r.transient && this.upns.delete(key));
        }
        return pending;
    }
}

async function readUpn(client: GraphClient, userId: string): Promise<UpnLookup> {
    try {
        const res = await client.request<{ userPrincipalName?: string }>({
            method: "GET",
            path: `/users/${encodeURIComponent(userId)}?$select=userPrincipalName`,
            operation: "getUser",
        });
        const upn = res.body?.userPrincipalName;
        return typeof upn === "string" && upn !== "" ? { upn } : { refused: "Graph returned no userPrincipalName" };
    } catch (err) {
        if (err instanceof GraphError && (err.status === 401 || err.status === 403)) {
            return {
                refused: `reading user ${userId} was refused (grant the app User.ReadBasic.All so imports are matched to their user exactly): ${err.message}`,
            };
        }
        if (err instanceof GraphError && err.status === 404)
            return { refused: `Graph has no user ${userId}: ${err.message}` };
        return { refused: err instanceof Error ? err.message : String(err), transient: true };
    }
}

/** True when the record names this user, by UPN or (as some answers may) by object id. */
export function isUsersRecord(
    record: CloudPcSnapshotImportActionResult,
    userId: string,
    upn: string | undefined,
): boolean {
    const who = (record.assignedUserPrincipalName ?? "").toLowerCase();
    return who !== "" && (who === userId.toLowerCase() || (upn !== undefined && who === upn.toLowerCase()));
}
