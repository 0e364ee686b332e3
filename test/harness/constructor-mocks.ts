// The constructor path under pulumi.runtime.setMocks, in a process of its own (setMocks is process-wide): each
// property builds resources from arbitrary inputs (plain, or inside Outputs, promises and secrets), lets the SDK
// serialize them as it does for the engine, and runs check() on what arrives. Run by test/integration/constructor.property.test.ts;
// prints one JSON line per property: { property, ok, runs, message }.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import type { CheckFailure } from "../../provider/validation/failures";
import {
    anyValue,
    assertGoodFailures,
    BLOB,
    brokenCloudPc,
    brokenImported,
    chaos,
    CLOUD_PC,
    IMPORTED,
    names,
    preview,
    SIG,
    SOURCE_FILE,
    validCloudPc,
    validImported,
    type Broken,
    type Level,
} from "./input-arbitraries";

const RUNS = Number(process.env.CLOUDPC_PROPERTY_RUNS ?? 100);
const PROJECT = "cloudpc-props";
const STACK = "dev";
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Check = (news: Record<string, unknown>) => { failures: CheckFailure[] };
interface Kind {
    name: string;
    make: (name: string, args: unknown) => pulumi.Resource;
    check: Check;
    level: Level;
}

const registered = new Map<string, Record<string, unknown>>();
const escaped: unknown[] = [];
process.on("unhandledRejection", (e) => escaped.push(e));
process.on("uncaughtException", (e) => escaped.push(e));

// ---- wrapping values the way programs pass them ------------------------------------------------------------------

type Wrap = "plain" | "output" | "promise" | "secret";
const wraps = fc.array(fc.constantFrom<Wrap>("plain", "plain", "output", "promise", "secret"), {
    minLength: 8,
    maxLength: 8,
});

/** `value` with its top-level values, list entries and their fields wrapped as `how` says (used in turn). */
function wrapDeep(value: unknown, how: Wrap[], depth = 0): unknown {
    let i = depth;
    const wrap = (v: unknown): unknown => {
        const w = how[i++ % how.length];
        return w === "output"
            ? pulumi.output(v)
            : w === "promise"
              ? Promise.resolve(v)
              : w === "secret"
                ? pulumi.secret(v)
                : v;
    };
    if (depth > 2 || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => wrap(wrapDeep(v, how, depth + 1)));
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(wrapDeep(v, how, depth + 1))]));
}

/** What the engine hands the provider: the provider answers acceptSecrets=false, so secrets arrive as plain values. */
function engineView(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(engineView);
    if (typeof value !== "object" || value === null) return value;
    const v = value as Record<string, unknown>;
    if (v[SECRET_KEY] === SECRET_SIG) return engineView(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, engineView(x)]));
}

/** A key "__proto__" is lost by the SDK's own serialization (obj[k] = v); a program cannot write one by mistake. */
function hasProtoKey(value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    return Object.keys(value).some((k) => k === "__proto__" || hasProtoKey((value as Record<string, unknown>)[k]));
}

// ---- building one resource -----------------------------------------------------------------------------------------

let counter = 0;

interface Built {
    resource: pulumi.Resource;
    raw: Record<string, unknown>;
    news: Record<string, unknown>;
}

/** Constructs, waits for the registration, and returns what the mock monitor got. Throws if anything threw. */
async function build(kind: Kind, args: unknown): Promise<Built> {
    const name = `${kind.name}-${++counter}`;
    let resource: pulumi.Resource;
    try {
        resource = kind.make(name, args);
    } catch (err) {
        throw new Error(`the constructor threw: ${String(err)}`);
    }
    const urn = (resource.urn as unknown as { promise(): Promise<string> }).promise();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error("registration never finished")), 10_000)),
    );
    try {
        await Promise.race([urn, late]);
    } catch (err) {
        throw new Error(`registration failed (a throw in an apply or in serialization): ${String(err)}`);
    } finally {
        clearTimeout(timer);
    }
    if (escaped.length > 0) throw new Error(`escaped: ${escaped.splice(0).map(String).join("; ")}`);
    const raw = registered.get(name);
    assert.ok(raw, "the mock monitor got the registration");
    return { resource, raw, news: engineView(raw) as Record<string, unknown> };
}

/** The hidden input names this stack and the URN the engine gave the resource. */
async function assertHiddenInput(built: Built): Promise<void> {
    const hidden = built.news.__cloudpc as Record<string, unknown>;
    const urn = await (built.resource.urn as unknown as { promise(): Promise<string> }).promise();
    assert.deepEqual(
        { project: hidden.project, stack: hidden.stack, urn: hidden.urn },
        { project: PROJECT, stack: STACK, urn },
    );
    assert.ok(urn.includes(`::${pulumi.resourceType(built.resource)}::`), urn);
}

// ---- the properties ------------------------------------------------------------------------------------------------

const KNOWN_FIELDS = new Set([...IMPORTED.fields, ...SOURCE_FILE.fields, ...BLOB.fields, ...CLOUD_PC.fields]);

/**
 * Whether the SDK can deliver the broken input at all: a key "__proto__" is lost by its serialization (obj[k] = v),
 * and an unknown key whose value is undefined is omitted like any undefined value (nothing was given).
 */
function deliverable({ input, expect }: Broken): boolean {
    if (hasProtoKey(input) || expect === undefined) return !hasProtoKey(input);
    const files = (input.sourceFiles as unknown[] | undefined)?.[0] as Record<string, unknown> | undefined;
    const levels: [string, unknown][] = [
        ["sourceFiles[0].storageBlobInfo.", files?.storageBlobInfo],
        ["sourceFiles[0].", files],
        ["", input],
    ];
    for (const [prefix, at] of levels) {
        const key = expect.slice(prefix.length);
        if (
            !expect.startsWith(prefix) ||
            typeof at !== "object" ||
            at === null ||
            !Object.prototype.hasOwnProperty.call(at, key)
        )
            continue;
        return !((at as Record<string, unknown>)[key] === undefined && !KNOWN_FIELDS.has(key));
    }
    return true;
}

interface Named {
    property: string;
    run(numRuns: number): Promise<fc.RunDetails<unknown>>;
}

function named<T extends unknown[]>(property: string, prop: fc.IAsyncProperty<T>): Named {
    const seed = process.env.CLOUDPC_PROPERTY_SEED ? { seed: Number(process.env.CLOUDPC_PROPERTY_SEED) } : {};
    return {
        property,
        run: (numRuns) =>
            fc.check(prop, { numRuns, ...seed, verbose: process.env.CLOUDPC_PROPERTY_VERBOSE ? 2 : 0 }) as Promise<
                fc.RunDetails<unknown>
            >,
    };
}

function properties(kind: Kind, valid: fc.Arbitrary<Record<string, unknown>>, broken: fc.Arbitrary<Broken>): Named[] {
    return [
        named(
            `${kind.name}: every valid input, however wrapped, passes check() and carries the hidden input`,
            fc.asyncProperty(valid, wraps, async (input, how) => {
                const built = await build(kind, wrapDeep(input, how));
                assert.deepEqual(kind.check(built.news).failures, [], preview(input));
                await assertHiddenInput(built);
                if (JSON.stringify(input).includes(SIG)) {
                    // A SAS URL is stored encrypted: the value that holds it reaches the monitor as a secret.
                    const files = built.raw.sourceFiles as Record<string, unknown>;
                    assert.equal(files?.[SECRET_KEY], SECRET_SIG, "sourceFiles with a SAS URL is a secret");
                }
            }),
        ),
        named(
            `${kind.name}: every broken input, however wrapped, fails check() on the broken property`,
            fc.asyncProperty(broken.filter(deliverable), wraps, async ({ input, expect }, how) => {
                const built = await build(kind, wrapDeep(input, how));
                const { failures } = kind.check(built.news);
                assert.ok(failures.length > 0, `no failure for ${preview(input)}`);
                if (expect !== undefined)
                    assert.ok(
                        failures.some((f) => names(f.property, expect)),
                        `no failure on ${expect}: ${preview(failures)}`,
                    );
                assertGoodFailures(input, failures, kind.level);
            }),
        ),
        named(
            `${kind.name}: anything under its input names ends in check() failures on those names`,
            fc.asyncProperty(
                chaos(kind.level).filter((i) => !hasProtoKey(i)),
                wraps,
                async (input, how) => {
                    const built = await build(kind, wrapDeep(input, how));
                    assertGoodFailures(input, kind.check(built.news).failures, kind.level);
                },
            ),
        ),
        named(
            `${kind.name}: functions, bigints, NaN, dates and cycles fail check() by name instead of vanishing`,
            fc.asyncProperty(
                valid,
                fc.constantFrom(...kind.level.fields),
                fc.constantFrom<() => unknown>(
                    () => () => 1,
                    () => 10n,
                    () => Number.NaN,
                    () => Number.POSITIVE_INFINITY,
                    () => new Date(0),
                    () => new Map(),
                    () => {
                        const o: Record<string, unknown> = {};
                        o.self = o;
                        return o;
                    },
                ),
                fc.boolean(),
                wraps,
                async (input, field, make, inOutput, how) => {
                    // pulumi.output() of a cycle overflows in the SDK before any constructor runs: a cycle is given as is.
                    const junk = make();
                    const cyclic = typeof junk === "object" && junk !== null && "self" in junk;
                    const built = await build(kind, {
                        ...(wrapDeep(input, how) as object),
                        [field]: inOutput && !cyclic ? pulumi.output(junk) : junk,
                    });
                    const { failures } = kind.check(built.news);
                    assert.ok(
                        failures.some((f) => names(f.property, field)),
                        `no failure on ${field}: ${preview(failures)}`,
                    );
                },
            ),
        ),
        named(
            `${kind.name}: reserved names in the arguments fail check() by name, never throw`,
            fc.asyncProperty(valid, fc.constantFrom("__provider", "__cloudpc"), anyValue, async (input, key, value) => {
                const built = await build(kind, { ...input, [key]: value });
                const { failures } = kind.check(built.news);
                assert.ok(
                    failures.some((f) => f.property === key),
                    `no failure on ${key}: ${preview(failures)}`,
                );
                await assertHiddenInput(built);
            }),
        ),
        named(
            `${kind.name}: any arguments at all (not even an object) never throw`,
            fc.asyncProperty(fc.oneof(fc.anything(), anyValue, fc.constant(undefined)), wraps, async (args, how) => {
                if (hasProtoKey(args)) return;
                const built = await build(kind, wrapDeep(args, how));
                kind.check(built.news); // never throws, whatever arrives
            }),
        ),
    ];
}

async function main(): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            async newResource(a) {
                registered.set(a.name, a.inputs as Record<string, unknown>);
                return { id: `${a.name}-id`, state: {} };
            },
            call() {
                throw new Error("no invokes expected");
            },
        },
        PROJECT,
        STACK,
        false,
    );
    // Loaded after setMocks, as a program would be.
    const { CloudPcImportedSnapshot, CloudPcSnapshot } = await import("../../provider/index");
    const { checkImportedSnapshot } = await import("../../provider/resources/imported-snapshot/check");
    const { checkCloudPcSnapshot } = await import("../../provider/resources/cloud-pc-snapshot/check");
    const kinds: [Kind, fc.Arbitrary<Record<string, unknown>>, fc.Arbitrary<Broken>][] = [
        [
            {
                name: "CloudPcImportedSnapshot",
                make: (n, a) => new CloudPcImportedSnapshot(n, a as never),
                check: checkImportedSnapshot,
                level: IMPORTED,
            },
            validImported as fc.Arbitrary<Record<string, unknown>>,
            brokenImported,
        ],
        [
            {
                name: "CloudPcSnapshot",
                make: (n, a) => new CloudPcSnapshot(n, a as never),
                check: checkCloudPcSnapshot,
                level: CLOUD_PC,
            },
            validCloudPc as fc.Arbitrary<Record<string, unknown>>,
            brokenCloudPc,
        ],
    ];
    let failed = false;
    for (const [kind, valid, broken] of kinds) {
        for (const { property, run } of properties(kind, valid, broken)) {
            if (process.env.CLOUDPC_PROPERTY_ONLY && !property.includes(process.env.CLOUDPC_PROPERTY_ONLY)) continue;
            const details = await run(RUNS);
            failed ||= details.failed;
            const message = details.failed
                ? `${fc.defaultReportMessage(details) ?? "failed"}\n${String(details.errorInstance)}`
                : "";
            process.stdout.write(
                `${JSON.stringify({ property, ok: !details.failed, runs: details.numRuns, message })}\n`,
            );
        }
    }
    // The last resource's registration resolves its URN before its other outputs: let it finish, or the SDK's leak
    // check reports it and sets the exit code.
    await new Promise((r) => setTimeout(r, 200));
    process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
});
