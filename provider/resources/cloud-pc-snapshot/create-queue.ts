// Creates on one Cloud PC run one at a time within a runtime (all resources of a stack share it). createSnapshot
// returns no id, so a create finds its restore point as "the new one"; two creates in flight on the same Cloud PC
// would each see both new restore points and could adopt the same one. Serializing them until each has identified
// its own (plus the ids already taken, below) rules that out. Creates on different Cloud PCs still run in parallel.
import type { RuntimePart } from "../../runtime/runtime";
import { KeyedQueue } from "../../util/keyed-queue";

export interface CreateQueue {
    perCloudPc: KeyedQueue;
    /** Restore point ids a create of this runtime has adopted: never adopted by another one. */
    claimed: Set<string>;
}

export const CREATE_QUEUE: RuntimePart<CreateQueue> = {
    name: "CloudPcSnapshot creates",
    create: () => ({ perCloudPc: new KeyedQueue(), claimed: new Set<string>() }),
};
