// Graph beta paths of the Cloud PC snapshot APIs (contract §0), relative to /beta.
export const SNAPSHOTS = "/deviceManagement/virtualEndpoint/snapshots";
export const CLOUD_PCS = "/deviceManagement/virtualEndpoint/cloudPCs";

/** An OData string literal: single quotes doubled, the whole thing URL-encoded as a path segment would need. */
export function odataString(value: string): string {
    return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}
