// One fetch serves every caller that asks within a short window. A caller never joins a fetch that started before
// it asked (that answer could predate what the caller just did, e.g. an import it just sent): it joins the next
// one, which starts when the window closes and the previous fetch is done. So at most one fetch runs at a time and
// callers per fetch are unbounded: Graph traffic no longer grows with the number of resources.
import { systemClock, type Clock } from "../../util/clock";

export class SingleFlight<T> {
    private running?: Promise<T>;
    private runningSince = 0;
    private last?: { since: number; value: T };
    private next?: Promise<T>;

    constructor(
        private readonly fetch: () => Promise<T>,
        private readonly windowMs = 25,
        private readonly clock: Clock = systemClock,
        /** Told of each fetch as it starts (the benchmark counts them). */
        private readonly onFetch?: () => void,
    ) {}

    /**
     * For callers that may use a slightly older answer: the fetch running now, or the last one completed within
     * `maxAgeMs`, provided it started at or after `notBefore` (epoch ms; a caller passes the time of its own last
     * write so it always sees it). Otherwise the next fetch.
     */
    getRecent(notBefore: number, maxAgeMs: number): Promise<T> {
        if (this.running && this.runningSince >= notBefore) return this.running;
        if (this.last && this.last.since >= Math.max(notBefore, this.clock.now() - maxAgeMs))
            return Promise.resolve(this.last.value);
        return this.get();
    }

    get(): Promise<T> {
        if (!this.next) {
            const previous = this.running ?? Promise.resolve();
            this.next = previous
                .then(noop, noop)
                .then(() => this.clock.sleep(this.windowMs))
                .then(() => {
                    const since = this.clock.now();
                    const run = this.fetch();
                    this.onFetch?.();
                    this.running = run;
                    this.runningSince = since;
                    run.then((value) => {
                        this.last = { since, value };
                    }, noop);
                    this.next = undefined; // callers from now on wait for the fetch after this one
                    void run.then(noop, noop).then(() => {
                        if (this.running === run) this.running = undefined;
                    });
                    return run;
                });
        }
        return this.next;
    }
}

function noop(): void {}
