// Work per key runs one at a time, in the order it was queued; different keys run in parallel.

export class KeyedQueue {
    private readonly tails = new Map<string, Promise<unknown>>();

    /** True when work for `key` is running or queued. */
    busy(key: string): boolean {
        return this.tails.has(key);
    }

    run<T>(key: string, work: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        const result = previous.then(work, work);
        const tail = result.then(noop, noop);
        this.tails.set(key, tail);
        // Forget the key once the last queued work is done, so the map does not grow with every key ever seen.
        void tail.then(() => {
            if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        return result;
    }
}

function noop(): void {}
