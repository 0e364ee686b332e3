// Each resource class has its own type token, so a CloudPcImportedSnapshot and a CloudPcSnapshot with one logical
// name get different URNs, and previews, Pulumi Cloud and policy packs can tell them apart. dynamic.Resource builds
// the token `pulumi-nodejs:dynamic/<module>:<type>`. 0.1.0 registered both as `pulumi-nodejs:dynamic:Resource`:
// an alias from that token moves its stacks over without a replace.
import type * as pulumi from "@pulumi/pulumi";

export const TYPE_MODULE = "cloudpc";
export const IMPORTED_SNAPSHOT_TYPE = "ImportedSnapshot";
export const CLOUD_PC_SNAPSHOT_TYPE = "Snapshot";
/** The token 0.1.0 gave both classes (the dynamic.Resource default). */
export const TOKEN_0_1_0 = "pulumi-nodejs:dynamic:Resource";

/** The full token dynamic.Resource builds for one of our types. */
export function typeToken(type: string): string {
    return `pulumi-nodejs:dynamic/${TYPE_MODULE}:${type}`;
}

/** The options with an alias from 0.1.0's token added to the program's own aliases. */
export function withAliasFrom010(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: TOKEN_0_1_0 }] };
}
