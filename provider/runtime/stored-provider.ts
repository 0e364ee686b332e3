// What the engine stores with each resource is read back by later versions of this package. Two things in it can
// go stale without any change to the Graph object: the serialized provider (`__provider`, which `read` and `delete`
// use, taken from the resource's outputs) and the shape of the outputs themselves. The engine keeps a resource's old
// outputs on a step with no changes, so diff reports a change (never a replace) when either is out of date, and
// update rewrites the outputs without calling Graph. Old provider texts keep working meanwhile: the handlers stay
// at the paths they require (see lazy-provider.ts).
import { isUnknown } from "../validation/unknown";

export const PROVIDER_KEY = "__provider";

/** Whether the program's provider text differs from the one stored in the resource's outputs. */
export function providerTextChanged(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
    const current = news[PROVIDER_KEY];
    return typeof current === "string" && !isUnknown(current) && olds[PROVIDER_KEY] !== current;
}

/** A diff that reports a change, with no replacement, when only what is stored must be rewritten. */
export function withStateRewrite<D extends { changes: boolean; replaces: string[] }>(diff: D, rewrite: boolean): D {
    return rewrite && !diff.changes ? { ...diff, changes: true } : diff;
}
