// An import made without Pulumi (the portal, a script): a token from the emulator's authority, then importSnapshot
// straight to its Graph endpoint.
import { strict as assert } from "node:assert";
import type { Emulator } from "../../emulator";
import { blobFile } from "../fixtures";

export async function importOutsidePulumi(emulator: Emulator, userId: string, fileName: string): Promise<string> {
    const token = await fetch(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: emulator.clientId,
            client_secret: emulator.clientSecret,
            scope: `${emulator.graphEndpoint}/.default`,
        }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const res = await fetch(
        `${emulator.graphEndpoint}/beta/deviceManagement/virtualEndpoint/snapshots/importSnapshot`,
        {
            method: "POST",
            headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
            body: JSON.stringify({
                assignedUserId: userId,
                sourceFiles: [{ ...blobFile(fileName), sourceType: "azureStorageAccount", fileType: "dataFile" }],
            }),
        },
    );
    assert.equal(res.status, 200, await res.clone().text());
    const { snapshotId } = (await res.json()) as { snapshotId: string };
    assert.match(snapshotId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    return snapshotId;
}
