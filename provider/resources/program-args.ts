// What each resource class does to the program's arguments before the SDK sees them, so that whatever the program
// passed ends as a check() failure naming the property, never as a throw in the constructor or in an apply:
// - reserved names (`__provider` makes the SDK throw) and output names (the class's placeholders would overwrite
//   them) are dropped and reported through the hidden input;
// - values Pulumi cannot send (a function or bigint is dropped or sent as {}, NaN as null, a cycle overflows the
//   stack) are replaced by a string saying what they were, which every input's rule rejects by name;
// - the hidden input names the stack and the resource's URN (see validation/hidden-input.ts for why).
import * as pulumi from "@pulumi/pulumi";
import { HIDDEN_INPUT, type HiddenInput } from "../validation/hidden-input";

/** Names the dynamic-provider SDK or this package uses itself; given by the program they would crash the constructor. */
const RESERVED = ["__provider", HIDDEN_INPUT];

export interface PreparedArgs {
    /** The program's arguments (an object, whatever was given) without reserved names. */
    args: Record<string, unknown>;
    /** The hidden input's value; resolves once `bind` has told it the resource's type. */
    hidden: Promise<HiddenInput>;
    /** The output-only properties, each undefined: the placeholders a dynamic resource declares its outputs with. */
    outputs: Record<string, undefined>;
    /** Call right after `super(...)`: the URN is derived from the type the SDK gave the resource. */
    bind(resource: pulumi.Resource): void;
}

/** @param outputOnly the resource's outputs that are not also inputs (snapshotId, status, ...). */
export function prepareArgs(
    name: string,
    given: unknown,
    opts: pulumi.CustomResourceOptions | undefined,
    outputOnly: readonly string[],
): PreparedArgs {
    const plain: Record<string, unknown> = typeof given === "object" && given !== null ? { ...given } : {};
    const reserved = [...RESERVED, ...outputOnly].filter((k) => Object.prototype.hasOwnProperty.call(plain, k));
    for (const k of reserved) delete plain[k];
    const args = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, topLevel(sendable(v, new Set()))]));

    let bindType: (type: string) => void = () => undefined;
    const type = new Promise<string>((resolve) => (bindType = resolve));
    const hidden = type.then(async (t): Promise<HiddenInput> => ({
        organization: safe(() => pulumi.getOrganization()),
        project: safe(() => pulumi.getProject()),
        stack: safe(() => pulumi.getStack()),
        urn: await urnOf(name, t, opts?.parent),
        reserved,
    }));
    const outputs = Object.fromEntries(outputOnly.map((k) => [k, undefined]));
    return { args, hidden, outputs, bind: (resource) => bindType(typeOf(resource)) };
}

/**
 * The resource's type token. `pulumi.resourceType` came in @pulumi/pulumi 3.165; the SDKs from 3.139 (the first that
 * calls a dynamic provider's configure) keep the token where that function reads it.
 */
function typeOf(resource: pulumi.Resource): string {
    const sdk = pulumi as { resourceType?: (r: pulumi.Resource) => string };
    return sdk.resourceType
        ? sdk.resourceType(resource)
        : (resource as unknown as { __pulumiType: string }).__pulumiType;
}

/**
 * The URN the engine gives the resource (pulumi.createUrn, from the parent's URN). Plain promises, not Outputs: an
 * Output of the parent would make the parent a dependency, and a dependency on a component waits for all of its
 * children, this resource included.
 */
async function urnOf(name: string, type: string, parent: pulumi.Resource | undefined): Promise<string> {
    try {
        const parentUrn = parent ? await known(parent.urn) : undefined;
        return await known(pulumi.createUrn(name, type, parentUrn));
    } catch {
        return ""; // the stack alone still keeps stacks apart
    }
}

/**
 * The SDK formats every top-level value with `${value}` for its debug labels (Outputs excepted): an object holding a
 * `toString` that is not a function makes that throw and the program crash. Lists and objects go as Outputs.
 */
function topLevel(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    const proto = Object.getPrototypeOf(value) as unknown;
    return Array.isArray(value) || proto === Object.prototype || proto === null ? pulumi.output(value) : value;
}

function known(o: pulumi.Output<string>): Promise<string> {
    return new Promise((resolve) => void o.apply((v) => (resolve(v), v)));
}

function safe(read: () => string | undefined): string {
    try {
        return read() ?? "";
    } catch {
        return "";
    }
}

/**
 * `value` with everything Pulumi cannot send replaced by a description of it; Outputs and promises are mapped when
 * they resolve. `ancestors` holds the objects on the path from the top, to spot a cycle.
 */
export function sendable(value: unknown, ancestors: Set<object>): unknown {
    if (pulumi.Output.isInstance(value)) return value.apply((v) => sendable(v, new Set()));
    if (value instanceof Promise) return value.then((v: unknown) => sendable(v, new Set()));
    if (typeof value === "function") return unsendable("a function");
    if (typeof value === "bigint" || typeof value === "symbol") return unsendable(`a ${typeof value}`);
    if (typeof value === "number" && !Number.isFinite(value)) return unsendable(String(value));
    if (typeof value !== "object" || value === null) return value;
    if (ancestors.has(value)) return unsendable("a reference to itself (a cycle)");
    const proto = Object.getPrototypeOf(value) as unknown;
    const isPlain = Array.isArray(value) || proto === Object.prototype || proto === null;
    // Dates, maps, sets, buffers and the like would arrive as {}; resources and assets the SDK sends itself.
    if (!isPlain)
        return BUILT_INS.some((t) => value instanceof t) || ArrayBuffer.isView(value)
            ? unsendable(`a ${builtInName(value)}`)
            : value;
    ancestors.add(value);
    try {
        return Array.isArray(value)
            ? value.map((v) => sendable(v, ancestors))
            : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sendable(v, ancestors)]));
    } finally {
        ancestors.delete(value);
    }
}

const BUILT_INS: (abstract new (...args: never[]) => object)[] = [
    Date,
    Map,
    Set,
    WeakMap,
    WeakSet,
    RegExp,
    Error,
    ArrayBuffer,
];

function builtInName(value: object): string {
    return (value.constructor as { name?: string } | undefined)?.name || "non-plain object";
}

function unsendable(what: string): string {
    return `(${what}: Pulumi cannot send it)`;
}
