// Following @odata.nextLink (contract §3.3): request each link verbatim until there is none. A link seen twice
// means a loop (a service bug or a proxy rewriting links): stop rather than spin; the page count is bounded too.

import type { ODataCollection } from "./odata";
import { GraphError } from "./errors";

/** What paging needs of a response (a GraphResponse fits). */
export interface PageResponse<T> {
    status: number;
    body: ODataCollection<T> | undefined;
    requestId?: string;
    clientRequestId: string;
    headers: Record<string, string>;
}

export const DEFAULT_MAX_PAGES = 1000;

function pagingError(code: string, message: string, operation: string, res: PageResponse<unknown>): GraphError {
    return new GraphError({
        status: res.status,
        code,
        graphMessage: message,
        operation,
        requestId: res.requestId,
        clientRequestId: res.clientRequestId,
        date: res.headers["date"],
    });
}

/**
 * Yields `value` of each page, starting at `first` and following nextLinks through `fetchPage`.
 * Throws GraphError `InvalidResponse` for a page without a `value` array, `PagingLoop` when a nextLink repeats,
 * and `TooManyPages` past `maxPages`.
 */
export async function* followPages<T>(
    first: string,
    operation: string,
    fetchPage: (pathOrUrl: string) => Promise<PageResponse<T>>,
    maxPages: number = DEFAULT_MAX_PAGES,
): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let next: string | undefined = first;
    for (let page = 1; next !== undefined; page++) {
        const res: PageResponse<T> = await fetchPage(next);
        const body = res.body;
        if (!body || !Array.isArray(body.value)) {
            throw pagingError("InvalidResponse", `page ${page} is not a collection (no "value" array)`, operation, res);
        }
        yield body.value;
        const link = body["@odata.nextLink"];
        if (link === undefined || link === null || link === "") return;
        if (typeof link !== "string")
            throw pagingError("InvalidResponse", `page ${page} has a non-string @odata.nextLink`, operation, res);
        if (seen.has(link)) {
            throw pagingError(
                "PagingLoop",
                `@odata.nextLink repeats after ${page} pages (${link}); stopping to avoid a loop`,
                operation,
                res,
            );
        }
        if (page >= maxPages) {
            throw pagingError(
                "TooManyPages",
                `more than ${maxPages} pages; stopping (raise maxPages if this is expected)`,
                operation,
                res,
            );
        }
        seen.add(link);
        next = link;
    }
}
