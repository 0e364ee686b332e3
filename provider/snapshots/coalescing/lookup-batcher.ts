// Per-id reads of a fleet, gathered into Graph batches where there is no list function: the reads that arrive
// within a short window (a refresh's reads reach the provider spread over the engine's parallelism) go out together,
// 20 to a $batch request. A read never joins a batch already sent: it could predate what its caller just did.
import { sleep } from "../../graph/throttle";
import type { ImportLookup } from "../import-results";

type Flush = (ids: string[]) => Promise<Map<string, ImportLookup>>;

export class LookupBatcher {
    private waiting = new Map<string, Array<{ resolve(l: ImportLookup): void; reject(e: unknown): void }>>();
    private scheduled = false;

    constructor(private readonly flush: Flush, private readonly windowMs = 25) {}

    get(id: string): Promise<ImportLookup> {
        return new Promise((resolve, reject) => {
            const key = id.toLowerCase();
            const list = this.waiting.get(key) ?? [];
            list.push({ resolve, reject });
            this.waiting.set(key, list);
            if (!this.scheduled) {
                this.scheduled = true;
                void sleep(this.windowMs).then(() => this.send());
            }
        });
    }

    private async send(): Promise<void> {
        const batch = this.waiting;
        this.waiting = new Map();
        this.scheduled = false;
        try {
            const answers = await this.flush([...batch.keys()]);
            for (const [id, list] of batch) {
                const answer = answers.get(id) ?? { kind: "unknown", why: "no answer for this id in the batch" };
                for (const w of list) w.resolve(answer);
            }
        } catch (err) {
            for (const list of batch.values()) for (const w of list) w.reject(err);
        }
    }
}
