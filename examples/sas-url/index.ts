// A VHD given as a SAS URL (an https URL whose `sig=` grants read access), imported as a Windows 365 snapshot.
//
// The URL is a credential, so it is a Pulumi secret from end to end:
//   1. stack config holds it encrypted:   pulumi config set --secret sasUrl 'https://...vhd?sp=r&...&sig=...'
//   2. the program reads it as a secret Output (`requireSecret`), never as a plain string, so it cannot be
//      printed or exported by mistake;
//   3. the resource stores it only as an encrypted input; its outputs hold only what it points at (scheme, host,
//      path, any snapshot/versionid), never its credentials;
//   4. the provider redacts `sig=` from every log line and error.
// A new SAS for the same blob (a new signature, a new expiry) is no change: Graph copies the file once, at import
// time, so the SAS only has to be valid until the import succeeds. Another blob replaces the import.
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { CloudPcImportedSnapshot } from "@cloudpc/pulumi-snapshots";
import { CloudPcImportedSnapshot } from "../../provider";

const cfg = new pulumi.Config();
const sasUrl: pulumi.Output<string> = cfg.requireSecret("sasUrl");

const snapshot = new CloudPcImportedSnapshot("sas", {
    assignedUserId: cfg.require("assignedUserId"),
    sourceFiles: [{ sasUrl }],
});

export const snapshotId = snapshot.snapshotId;
export const importStatus = snapshot.importStatus;
// No output carries the URL. (`snapshot.sourceFiles` holds it without its query string, and the engine marks it
// secret anyway, because it comes from a secret input.)
