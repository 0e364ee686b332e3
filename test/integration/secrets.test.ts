// Secret hygiene through the engine-level harness: canary values for the client secret, the SAS signature and the
// bearer tokens (captured from the emulator's side) must appear nowhere the provider writes to: its process's
// stdout/stderr, the log messages it sends to the engine (a stand-in Engine gRPC server), error messages (with the
// created-but-failed details), check failures, diff and read answers, and the outputs the engine stores as state.
// The run goes through failures on purpose: 403, a failed import, a 409 conflict, invalid input, a timeout, a purge
// refused while in use, a wrong client secret, and transient faults (dropped connection, 429, expired token).
//
// What `pulumi stack export` shows (secrets encrypted in the stored inputs) is checked with the real CLI in
// test/e2e/e2e.test.ts; not repeated here.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { startEngineLogSink } from "../harness/engine-log-sink";
import { startEmulator, type Emulator } from "../../emulator";
import { CloudPcImportedSnapshotProvider } from "../../provider";
import {
    DynamicProviderProcess,
    PROVIDER_KEY,
    ProviderCallError,
    serializeProvider,
    type Props,
} from "../harness/dynamic-provider";
import { providerForEmulator } from "../harness/emulator-config";
import { CAN_LIST } from "../fixtures";

const WRITER_ID = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
const READER_ID = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e";
const hex = (n: number) => randomBytes(n).toString("hex");
const CLIENT_SECRET = `CanaryClientSecret~${hex(8)}`;
const READER_SECRET = `CanaryReaderSecret~${hex(8)}`;
const WRONG_SECRET = `CanaryWrongSecret~${hex(8)}`;
// A SAS signature is base64, URL-encoded in the URL: "+", "/" and "=" appear as %2B, %2F, %3D.
const SIG_CORE = `CanarySig${hex(8)}`;
const SIG = `${SIG_CORE}%2B${hex(4)}%2F${hex(4)}%3D`;
const USERS = [
    "1f0e0d0c-0b0a-4909-8807-060504030201",
    "2f0e0d0c-0b0a-4909-8807-060504030202",
    "3f0e0d0c-0b0a-4909-8807-060504030203",
    "4f0e0d0c-0b0a-4909-8807-060504030204",
];

function sasUrl(file: string, sig = SIG): string {
    return `https://cloudpcvhds.blob.core.windows.net/vhds/${file}?sp=r&st=2026-11-01&se=2030-12-01&sv=2022-11-02&sr=b&sig=${sig}`;
}

/** Every form a value could take on its way out: as is, URL-decoded, URL-encoded (once, twice), base64 and base64url. */
function variants(value: string): string[] {
    const forms = new Set([value]);
    try {
        forms.add(decodeURIComponent(value));
    } catch {
        // not encoded
    }
    for (const f of [...forms]) {
        forms.add(encodeURIComponent(f));
        forms.add(encodeURIComponent(encodeURIComponent(f)));
        forms.add(Buffer.from(f).toString("base64").replace(/=+$/, ""));
        forms.add(Buffer.from(f).toString("base64url"));
    }
    return [...forms].filter((f) => f.length >= 8);
}

/** Runs of base64/base64url text in `text`, decoded (at each alignment a secret could start at). */
function decodedRuns(text: string): string[] {
    const out: string[] = [];
    for (const run of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
        for (let skip = 0; skip < 4; skip++)
            out.push(Buffer.from(run.slice(skip).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1"));
    }
    return out;
}

interface Canary {
    name: string;
    needles: string[];
}

/** Where each canary was found in `haystack` (empty when nowhere). */
function leaks(canaries: Canary[], haystack: string): string[] {
    const found: string[] = [];
    const decoded = decodedRuns(haystack).join("\n");
    for (const c of canaries) {
        for (const needle of c.needles) {
            const at = haystack.indexOf(needle);
            if (at >= 0)
                found.push(
                    `${c.name} (${JSON.stringify(needle.slice(0, 24))}...) in: ${JSON.stringify(haystack.slice(Math.max(0, at - 150), at + 60))}`,
                );
            else if (decoded.includes(needle)) found.push(`${c.name} base64-encoded`);
        }
    }
    return found;
}

describe("secret hygiene: canaries never leave the provider (engine-level harness)", function () {
    this.timeout(120_000);
    let emulator: Emulator;
    let engine: Awaited<ReturnType<typeof startEngineLogSink>>;
    let serialized: string;
    const processes: DynamicProviderProcess[] = [];
    /** Everything the provider answered or raised, as text. */
    const captured: string[] = [];

    const urn = (name: string) =>
        `urn:pulumi:secrets::cloudpc::pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot::${name}`;
    const news = (user: string, file: string, extra: Props = {}): Props => ({
        assignedUserId: user,
        sourceFiles: [{ sasUrl: sasUrl(file) }],
        ...extra,
        [PROVIDER_KEY]: serialized,
    });

    async function providerFor(clientId: string, secret: string): Promise<DynamicProviderProcess> {
        const p = await providerForEmulator(
            emulator,
            { "cloudpc:clientId": clientId, "cloudpc:clientSecret": secret },
            { PULUMI_NODEJS_ENGINE: engine.address },
        );
        processes.push(p);
        return p;
    }

    /** Runs a provider call, keeping its answer or its error (message, created-but-failed reasons and properties). */
    async function record<T>(what: string, call: Promise<T>): Promise<T | ProviderCallError> {
        try {
            const answer = await call;
            captured.push(`${what}: ${JSON.stringify(answer)}`);
            return answer;
        } catch (err) {
            if (!(err instanceof ProviderCallError)) throw err;
            captured.push(`${what} failed: ${err.message} ${JSON.stringify(err.initFailure ?? {})}`);
            return err;
        }
    }

    async function create(p: DynamicProviderProcess, name: string, inputs: Props) {
        const checked = await p.check(urn(name), {}, inputs);
        captured.push(`check ${name}: ${JSON.stringify(checked.failures)}`);
        assert.deepEqual(checked.failures, []);
        return record(`create ${name}`, p.create(urn(name), checked.inputs));
    }

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 300,
            clients: [
                { clientId: WRITER_ID, clientSecret: CLIENT_SECRET },
                { clientId: READER_ID, clientSecret: READER_SECRET, roles: ["CloudPC.Read.All"] },
            ],
        });
        engine = await startEngineLogSink();
        serialized = await serializeProvider(new CloudPcImportedSnapshotProvider());
    });
    after(async () => {
        for (const p of processes) await p.close();
        await engine?.close();
        await emulator?.close();
    });

    it("runs the lifecycle with its failures, then finds no canary anywhere", async () => {
        const p = await providerFor(WRITER_ID, CLIENT_SECRET);

        // Invalid input: check failures name the SAS URL without quoting it.
        for (const [name, bad] of [
            ["http", sasUrl("a.vhd").replace("https:", "http:")],
            ["vhdx", sasUrl("a.vhdx")],
            ["traversal", sasUrl("../a.vhd")],
        ] as const) {
            const r = await p.check(
                urn(name),
                {},
                { assignedUserId: USERS[0], sourceFiles: [{ sasUrl: bad }], [PROVIDER_KEY]: serialized },
            );
            captured.push(`check ${name}: ${JSON.stringify(r.failures)}`);
            assert.equal(r.failures[0]?.property, "sourceFiles[0].sasUrl");
        }

        // Create through transient faults: a connection dropped after Graph acted, a 429, a token that expires.
        // (Only where Graph lists imports can an import whose answer was lost be found again.)
        if (CAN_LIST) emulator.faults.add({ route: "POST importSnapshot", drop: "after" });
        else emulator.faults.add({ route: "POST importSnapshot", drop: "before" });
        emulator.faults.add({ route: "retrieveSnapshotImportResults", status: 429, retryAfter: "0.1" });
        emulator.faults.add({ route: "listSnapshotImportResults", status: 429, retryAfter: "0.1" });
        emulator.faults.add({ route: "listSnapshotImportResults", expireToken: true });
        const a = await create(p, "a", news(USERS[0], "user-a.vhd"));
        assert.ok(!(a instanceof Error), String(a));
        assert.equal(emulator.imports.byUser(USERS[0]).length, 1);

        // Diff (a new SAS, same blob: replace) and read.
        const d = await record(
            "diff a",
            p.diff(a.id, urn("a"), a.properties, (await p.check(urn("a"), {}, news(USERS[0], "user-a.vhd"))).inputs),
        );
        assert.ok(!(d instanceof Error));
        await record("read a", p.read(a.id, urn("a"), a.properties));

        // 409: a second import for the same user.
        const dup = await create(p, "dup", news(USERS[0], "user-a-again.vhd"));
        assert.ok(dup instanceof ProviderCallError && /HTTP 409/.test(dup.message), String(dup));

        // A failed import (Graph fails it asynchronously; the provider purges it).
        const failed = await create(p, "corrupt", news(USERS[1], "corrupt-disk.vhd"));
        assert.ok(failed instanceof ProviderCallError && /not a fixed-size VHD/.test(failed.message), String(failed));

        // A timeout: recorded as created-but-failed, then continued by an update.
        emulator.setOptions({ importDurationMs: 60_000 });
        const slow = await create(p, "slow", news(USERS[2], "user-c.vhd", { timeoutMinutes: 0.01 }));
        emulator.setOptions({ importDurationMs: 300 });
        assert.ok(slow instanceof ProviderCallError && slow.initFailure, String(slow));
        emulator.imports.setStatus(slow.initFailure.id, "succeeded");
        const slowInputs = (await p.check(urn("slow"), {}, news(USERS[2], "user-c.vhd", { timeoutMinutes: 0.01 })))
            .inputs;
        await record(
            "update slow",
            p.update(slow.initFailure.id, urn("slow"), slow.initFailure.properties, slowInputs),
        );

        // A purge refused while the import is in use, then deletes.
        emulator.imports.markInUse(a.id);
        const inUse = await record("delete a (in use)", p.delete(a.id, urn("a"), a.properties));
        assert.ok(inUse instanceof ProviderCallError && /in use/.test(inUse.message), String(inUse));
        emulator.imports.setUsage(a.id, "notUsed");
        await record("delete a", p.delete(a.id, urn("a"), a.properties));
        await record("delete slow", p.delete(slow.initFailure.id, urn("slow"), slow.initFailure.properties));

        // 403: an app with read permission only.
        const reader = await providerFor(READER_ID, READER_SECRET);
        const denied = await create(reader, "denied", news(USERS[3], "user-d.vhd"));
        assert.ok(denied instanceof ProviderCallError && /HTTP 403/.test(denied.message), String(denied));

        // A wrong client secret: Entra refuses it.
        const wrong = await providerFor(WRITER_ID, WRONG_SECRET);
        const refused = await create(wrong, "refused", news(USERS[3], "user-d.vhd"));
        assert.ok(
            refused instanceof ProviderCallError && /access token|invalid_client|AADSTS/i.test(refused.message),
            String(refused),
        );
        assert.equal(emulator.imports.list().length, 0, "everything was purged");

        // Let the provider processes flush their logs to the engine, then collect everything.
        await new Promise((r) => setTimeout(r, 300));
        const all = processes.splice(0);
        for (const proc of all) await proc.close();
        const logs = [...all.flatMap((proc) => [...proc.stdout, ...proc.stderr]), ...engine.messages];

        const tokens = emulator.issuedTokens();
        assert.ok(tokens.length >= 3, `tokens were issued and captured (${tokens.length})`);
        const canaries: Canary[] = [
            { name: "client secret", needles: [CLIENT_SECRET, READER_SECRET, WRONG_SECRET].flatMap(variants) },
            { name: "SAS signature", needles: [SIG_CORE, ...variants(SIG)] },
            { name: "bearer token", needles: tokens.flatMap((t) => [t, ...t.split(".").slice(1)]) },
        ];
        // The search itself works: a planted canary, plain or base64-encoded, is found.
        assert.ok(leaks(canaries, `x ${sasUrl("p.vhd")} y`).length > 0);
        assert.ok(leaks(canaries, `x ${Buffer.from(`k=${CLIENT_SECRET}`).toString("base64")} y`).length > 0);
        assert.ok(leaks(canaries, `Authorization: Bearer ${tokens[0]}`).length > 0);

        assert.ok(
            engine.messages.some((m) => /Import [0-9a-f-]{36} for user .* started/.test(m)),
            "progress reached the engine's log service",
        );
        assert.ok(
            engine.messages.some((m) => /outcome is unknown/.test(m)),
            "the ambiguous-import warning reached the engine",
        );
        assert.ok(captured.length >= 15, `${captured.length} answers and errors captured`);
        const everything = [...captured, ...logs].join("\n");
        console.log(
            `      searched ${captured.length} answers/errors, ${engine.messages.length} engine log messages, ` +
                `${Buffer.byteLength(logs.join(""))} bytes of logs, for ${tokens.length} tokens, 3 client secrets and a SAS signature`,
        );
        if (process.env.SHOW_CAPTURED) console.log(everything);
        assert.deepEqual(leaks(canaries, everything), []);
    });
});
