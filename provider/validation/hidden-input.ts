// The hidden input every resource class adds (resources/hidden-input.ts): which stack the resource belongs to. The
// engine tells a provider neither the stack nor the URN, yet the pending-import notes must not let one stack adopt
// another's import. diff() never looks at it, so it never causes an update or a replacement.
import type { Failures } from "./failures";
import { isUnknown } from "./unknown";

export const HIDDEN_INPUT = "__cloudpc";

/** Whose resource this is: the stack (organization/project/stack) and the resource's URN. */
export interface Owner {
    organization: string;
    project: string;
    stack: string;
    /** Computed by the resource class; empty when it could not be. */
    urn: string;
}

/** The hidden input as the resource class sends it. */
export interface HiddenInput extends Owner {
    /**
     * Names the program gave that it may not: reserved (`__provider` makes the SDK throw) or outputs (the class's
     * placeholders overwrite them). Dropped by the class, reported by check().
     */
    reserved: string[];
}

const OWNER_FIELDS = ["organization", "project", "stack", "urn"] as const;

/**
 * check(): reports the names the program may not give, and a hidden input that is not what the class sends.
 * @param hints extra advice per output name (e.g. how to adopt an existing snapshotId).
 */
export function checkHiddenInput(
    news: Record<string, unknown>,
    f: Failures,
    resource: string,
    hints: Record<string, string> = {},
): void {
    const value = news[HIDDEN_INPUT];
    if (value === undefined || isUnknown(value)) return;
    const parsed = parseHidden(value);
    if (!parsed) {
        f.add(HIDDEN_INPUT, "is set by the resource class (the stack and URN it belongs to); do not set it yourself.");
        return;
    }
    for (const name of parsed.reserved) {
        f.add(
            name,
            name.startsWith("__")
                ? "is reserved for the provider's own use; remove it from the resource's arguments."
                : `is an output of ${resource}, set by the provider; remove it from the arguments.${hints[name] ? ` ${hints[name]}` : ""}`,
        );
    }
}

/** The owner the checked inputs name, or undefined (a direct caller of the provider, or an unknown value). */
export function ownerOf(inputs: Record<string, unknown>): Owner | undefined {
    const parsed = parseHidden(inputs[HIDDEN_INPUT]);
    if (!parsed || parsed.project === "" || parsed.stack === "") return undefined;
    const { reserved: _reserved, ...owner } = parsed;
    return owner;
}

/** The resource's URN the inputs (or outputs, which carry the hidden input) name, or undefined. */
export function urnIn(props: Record<string, unknown> | undefined): string | undefined {
    return parseHidden(props?.[HIDDEN_INPUT])?.urn || undefined;
}

function parseHidden(value: unknown): HiddenInput | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    if (!OWNER_FIELDS.every((k) => typeof v[k] === "string")) return undefined;
    const reserved = v.reserved ?? [];
    if (!Array.isArray(reserved) || !reserved.every((r) => typeof r === "string")) return undefined;
    return {
        organization: v.organization as string,
        project: v.project as string,
        stack: v.stack as string,
        urn: v.urn as string,
        reserved: reserved as string[],
    };
}

/** "stack dev of project fleet (organization acme)", for messages. */
export function describeOwner(o: Owner): string {
    return `stack ${o.stack} of project ${o.project}${o.organization ? ` (organization ${o.organization})` : ""}`;
}
