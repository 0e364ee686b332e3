// Creates on one Cloud PC run one at a time within the provider process (all resources of a stack share it).
// createSnapshot returns no id, so a create finds its restore point as "the new one"; two creates in flight on
// the same Cloud PC would each see both new restore points and could adopt the same one. Serializing them until
// each has identified its own (plus the ids already taken, below) rules that out. Creates on different Cloud PCs
// still run in parallel.

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
        // Forget the key once the last queued work is done, so the map does not grow with every Cloud PC ever seen.
        void tail.then(() => {
            if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        return result;
    }
}

function noop(): void {}

/** One queue per process: module state, loaded once by the provider process. */
export const createsPerCloudPc = new KeyedQueue();

/** Restore point ids a create of this process has adopted: never adopted by another one. */
export const claimedSnapshotIds = new Set<string>();
