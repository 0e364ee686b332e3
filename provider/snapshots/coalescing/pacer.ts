// Resumes many waiters a slice at a time. When one list pass answers a fleet's reads (or the poller finds a fleet's
// imports done), every waiter's continuation would run in the same turn of the event loop: in the dynamic-provider
// host each builds its gRPC response (protobuf objects, then bytes queued on the stream), and none of it can be
// written out or collected before the last one is built. That burst was the provider process's peak memory at
// 1000 resources (docs/BENCHMARKS.md). Between slices the event loop turns: responses go out and are freed.

export class Pacer {
    private readonly queue: Array<() => void> = [];
    private scheduled = false;

    constructor(readonly perTurn = 50) {}

    /** Resolves in FIFO order, at most `perTurn` callers per turn of the event loop (the first slice on the next one). */
    turn(): Promise<void> {
        return new Promise((resolve) => {
            this.queue.push(resolve);
            if (!this.scheduled) {
                this.scheduled = true;
                setImmediate(() => this.drain());
            }
        });
    }

    private drain(): void {
        for (const resolve of this.queue.splice(0, this.perTurn)) resolve();
        if (this.queue.length > 0) setImmediate(() => this.drain());
        else this.scheduled = false;
    }
}
