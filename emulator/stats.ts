// Request counters, so tests can assert how a client used the API (retries, writes, paging cost).

export interface EmulatorStats {
    /**
     * Every counted request: Graph routes and authority routes ("POST token", "GET openid-configuration"), and each
     * item of a $batch (Graph throttles them one by one).
     */
    total: number;
    /** HTTP requests, each $batch counted once: what a client paid in round trips. */
    httpRequests: number;
    /** Requests that came as items of a $batch (also counted under their own route in byRoute). */
    batchedItems: number;
    /** Keyed "<METHOD> <function or segment name>", e.g. "POST importSnapshot", "GET retrieveSnapshotImportResult", "POST token". */
    byRoute: Record<string, number>;
    /** POSTs to Graph routes (token requests and $batch envelopes excluded; a POST inside a batch counts). */
    writes: number;
    /** 429 answers (rate limit and injected). */
    status429: number;
    /** Items delivered: collection page items, plus 1 per single-object read. */
    itemsReturned: number;
    /** Graph requests (each $batch item) that a valid token let in, by the token's tenant (`tid`). */
    byTenant: Record<string, number>;
}

export class StatsCollector {
    private data: EmulatorStats = StatsCollector.empty();

    private static empty(): EmulatorStats {
        return {
            total: 0,
            httpRequests: 0,
            batchedItems: 0,
            byRoute: {},
            writes: 0,
            status429: 0,
            itemsReturned: 0,
            byTenant: {},
        };
    }

    count(routeKey: string, graphWrite: boolean, batched = false): void {
        this.data.total += 1;
        if (batched) this.data.batchedItems += 1;
        else this.data.httpRequests += 1;
        this.data.byRoute[routeKey] = (this.data.byRoute[routeKey] ?? 0) + 1;
        if (graphWrite) this.data.writes += 1;
    }

    answered(status: number): void {
        if (status === 429) this.data.status429 += 1;
    }

    tenant(tenantId: string): void {
        this.data.byTenant[tenantId] = (this.data.byTenant[tenantId] ?? 0) + 1;
    }

    items(n: number): void {
        this.data.itemsReturned += n;
    }

    snapshot(): EmulatorStats {
        return { ...this.data, byRoute: { ...this.data.byRoute }, byTenant: { ...this.data.byTenant } };
    }

    reset(): void {
        this.data = StatsCollector.empty();
    }
}
