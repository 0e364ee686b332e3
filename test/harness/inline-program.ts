// The inline Pulumi program the end-to-end tests hand to the Automation API: the given CloudPcImportedSnapshots,
// each snapshotId exported under the resource's name.
import type * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { CloudPcImportedSnapshot, type CloudPcImportedSnapshotArgs } from "../../provider";

export function importsProgram(resources: Record<string, Record<string, unknown>>): PulumiFn {
    return async () => {
        const outputs: Record<string, pulumi.Output<string>> = {};
        for (const [name, args] of Object.entries(resources)) {
            outputs[name] = new CloudPcImportedSnapshot(
                name,
                args as unknown as CloudPcImportedSnapshotArgs,
            ).snapshotId;
        }
        return outputs;
    };
}
