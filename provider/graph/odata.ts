// The OData shapes the client itself reads: collections (paging) and error bodies (errors.ts).

export interface ODataCollection<T> {
    "@odata.context"?: string;
    "@odata.nextLink"?: string;
    "@odata.count"?: number;
    value: T[];
}

/** Graph's error body (OData v4). `innerError` is matched case-insensitively by the client. */
export interface GraphErrorBody {
    error?: {
        code?: string;
        message?: string;
        innerError?: Record<string, unknown>;
        innererror?: Record<string, unknown>;
    };
}
