// GitOps for Cloud PC snapshots: fleet.yaml, checked in next to this program, maps users to VHD blobs, and this
// program declares one CloudPcImportedSnapshot per line. Review a change to the file in a pull request (`pulumi
// preview`), merge it, and `pulumi up` does exactly what the diff says: a new line imports, a changed blob replaces
// (purging that user's old import first), a removed line purges. The parsing is in fleet.ts (pure, tested).
//
// Stack config: `fleetFile` (default fleet.yaml, relative to this folder), e.g. one file per stack.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { CloudPcImportedSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot } from "../../provider";
import { fleetImports } from "./fleet";

const cfg = new pulumi.Config();
const file = path.resolve(__dirname, cfg.get("fleetFile") ?? "fleet.yaml");
const imports = fleetImports(fs.readFileSync(file, "utf8"), path.basename(file));

const snapshots = imports.map(({ name, args }) => ({ name, snapshot: new CloudPcImportedSnapshot(name, args) }));

/** Per user: the import's id and status. */
export const fleet = Object.fromEntries(
    snapshots.map(({ name, snapshot }) => [
        name,
        {
            snapshotId: snapshot.snapshotId,
            importStatus: snapshot.importStatus,
            assignedUserPrincipalName: snapshot.assignedUserPrincipalName,
        },
    ]),
);
export const count = snapshots.length;
