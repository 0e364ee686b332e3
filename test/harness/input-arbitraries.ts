// Inputs for the property tests (fast-check) of check() and of the resource constructors: valid inputs, inputs broken
// in one known place, adversarial values, and the assertions every check() failure must satisfy.
import { strict as assert } from "node:assert";
import fc from "fast-check";

export const SIG = "pr0pertyCANARYsig0123456789abcdefABCDEF%3D";

// ---- the shape of valid inputs: which field names exist at each level ------------------------------------------

export interface Level {
    fields: readonly string[];
    children?: Record<string, Level>;
    list?: Level;
}
export const BLOB: Level = { fields: ["storageAccountId", "containerName", "fileName", "blobName"] };
export const SOURCE_FILE: Level = {
    fields: ["sourceType", "fileType", "storageBlobInfo", "sasUrl"],
    children: { storageBlobInfo: BLOB },
};
export const IMPORTED: Level = {
    fields: ["assignedUserId", "sourceFiles", "waitForCompletion", "timeoutMinutes", "adoptSnapshotId"],
    children: { sourceFiles: { fields: [], list: SOURCE_FILE } },
};
export const CLOUD_PC: Level = {
    fields: ["cloudPcId", "storageAccountId", "accessTier", "waitForCompletion", "timeoutMinutes"],
};

const own = (v: unknown, k: string): boolean =>
    typeof v === "object" && v !== null && Object.prototype.hasOwnProperty.call(v, k);

/**
 * True when `path` (e.g. `sourceFiles[1].storageBlobInfo.fileName`) names a place in `input`: every step but the
 * last exists in the input, array indexes are in range, and the last step exists or is a field the level defines
 * (a required field that is missing). Keys may themselves hold '.' or '[' (unknown inputs are reported by name), so
 * every split of the path is tried.
 */
export function isInputPath(path: string, input: unknown, level: Level | undefined): boolean {
    if (path === "") return true;
    if (Array.isArray(input) && level?.list) {
        const m = /^\[(\d+)\]\.?(.*)$/s.exec(path);
        if (!m) return false;
        const i = Number(m[1]);
        return i < input.length && (m[2] === "" ? true : isInputPath(m[2]!, input[i], level.list));
    }
    if (typeof input !== "object" || input === null) return false;
    for (let end = path.length; end > 0; end--) {
        const key = path.slice(0, end);
        const rest = path.slice(end);
        if (rest === "") {
            if (own(input, key) || (level?.fields.includes(key) ?? false)) return true;
            continue;
        }
        if (!own(input, key)) continue;
        const child = (input as Record<string, unknown>)[key];
        if (rest.startsWith("[") && isInputPath(rest, child, level?.children?.[key])) return true;
        if (rest.startsWith(".") && isInputPath(rest.slice(1), child, level?.children?.[key])) return true;
    }
    return false;
}

// Zero-width, bidi controls and other invisible format characters: a message must show them escaped, never raw.
export const INVISIBLE =
    // eslint-disable-next-line no-misleading-character-class, no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/** Every failure names a real input path and explains itself; nothing secret or invisible is echoed. */
export function assertGoodFailures(
    input: Record<string, unknown>,
    failures: { property: string; reason: string }[],
    level: Level,
): void {
    for (const f of failures) {
        assert.equal(typeof f.property, "string");
        assert.ok(f.property.length > 0, "a failure names a property");
        assert.ok(!f.property.startsWith("__provider"), f.property);
        assert.ok(
            isInputPath(f.property, input, level),
            `'${f.property}' is not a path of the input ${preview(input)}`,
        );
        assert.ok(f.reason.startsWith(f.property), `the reason starts with the property: ${f.reason.slice(0, 200)}`);
        const said = f.reason.slice(f.property.length);
        assert.ok(said.trim().length >= 10, `the reason says something: ${JSON.stringify(f.reason.slice(0, 200))}`);
        assert.ok(said.length <= 700, `the reason echoes at most a short excerpt (${said.length} characters)`);
        assert.ok(
            !INVISIBLE.test(said),
            `no raw control or invisible character in the reason: ${JSON.stringify(said.slice(0, 300))}`,
        );
        assert.ok(!f.reason.includes(SIG) && !f.reason.includes(decodeURIComponent(SIG)), "no SAS signature");
    }
}

export function preview(v: unknown): string {
    try {
        return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x))?.slice(0, 300) ?? String(v);
    } catch {
        return String(v);
    }
}

/** The failure is on `expected` or inside it (a list given where one is expected can fail on an entry). */
export const names = (property: string, expected: string): boolean =>
    property === expected || property.startsWith(`${expected}[`) || property.startsWith(`${expected}.`);

// ---- arbitraries --------------------------------------------------------------------------------------------------

export const hex = (n: number) =>
    fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: n, maxLength: n });
export const guid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join("-"));
export const lowerAlnum = (min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), minLength: min, maxLength: max });
export const resourceGroup = fc
    .string({ unit: fc.constantFrom(..."abcXYZ019-_.()"), minLength: 1, maxLength: 90 })
    .filter((g) => !g.endsWith("."));
export const storageAccountId = fc
    .tuple(guid, resourceGroup, lowerAlnum(3, 24), fc.boolean())
    .map(
        ([s, g, a, lower]) =>
            `/subscriptions/${s}/resourceGroups/${g}/providers/${lower ? "microsoft.storage" : "Microsoft.Storage"}/storageAccounts/${a}`,
    );
export const containerName = fc
    .tuple(
        lowerAlnum(1, 1),
        fc.array(
            fc.oneof(
                lowerAlnum(1, 5),
                lowerAlnum(1, 3).map((s) => `-${s}`),
            ),
            { maxLength: 8 },
        ),
        lowerAlnum(1, 1),
    )
    .map(([a, mid, b]) => `${a}${mid.join("")}${b}`)
    .filter((c) => c.length >= 3 && c.length <= 63);
export const segment = fc
    .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABC0123456789-_ "), minLength: 1, maxLength: 16 })
    .filter((s) => s !== "." && s !== "..");
export const vhdName = fc
    .tuple(fc.array(segment, { maxLength: 3 }), segment, fc.constantFrom(".vhd", ".VHD", ".Vhd"))
    .map(([dirs, base, ext]) => [...dirs, `${base}${ext}`].join("/"));
export const sasUrl = fc
    .tuple(lowerAlnum(3, 24), containerName, vhdName, fc.constantFrom("", "sp=r&", "sv=2022-11-02&sr=b&"))
    .map(
        ([acct, c, blob, params]) =>
            `https://${acct}.blob.core.windows.net/${c}/${blob.split("/").map(encodeURIComponent).join("/")}?${params}se=2030-01-01&sig=${SIG}`,
    );
export const blobInfo = fc
    .record({ storageAccountId, containerName, name: vhdName, alias: fc.constantFrom("fileName", "blobName", "both") })
    .map(({ storageAccountId: id, containerName: c, name, alias }) => ({
        storageAccountId: id,
        containerName: c,
        ...(alias === "blobName"
            ? { blobName: name }
            : alias === "both"
              ? { fileName: name, blobName: name }
              : { fileName: name }),
    }));
export const sourceFile = (fileType: "dataFile" | "virtualMachineGuestState" | undefined) =>
    fc
        .oneof(
            blobInfo.map((b) => ({ storageBlobInfo: b })),
            sasUrl.map((u) => ({ sasUrl: u })),
        )
        .chain((f) =>
            fc.boolean().map((explicitType) => {
                const withType: Record<string, unknown> = { ...f };
                if (fileType !== undefined) withType.fileType = fileType;
                if (explicitType) withType.sourceType = "sasUrl" in f ? "sasUrl" : "azureStorageAccount";
                return withType;
            }),
        );
export const validImported = fc.record(
    {
        assignedUserId: guid,
        sourceFiles: fc
            .tuple(
                fc.oneof(sourceFile(undefined), sourceFile("dataFile")),
                fc.option(sourceFile("virtualMachineGuestState"), { nil: undefined }),
                fc.boolean(),
            )
            .map(([data, vmgs, vmgsFirst]) => (vmgs ? (vmgsFirst ? [vmgs, data] : [data, vmgs]) : [data])),
        waitForCompletion: fc.option(fc.boolean(), { nil: undefined }),
        timeoutMinutes: fc.option(
            fc.oneof(fc.integer({ min: 1, max: 1440 }), fc.double({ min: 0.01, max: 1440, noNaN: true })),
            { nil: undefined },
        ),
        adoptSnapshotId: fc.option(guid, { nil: undefined }),
    },
    { requiredKeys: ["assignedUserId", "sourceFiles"] },
);
export const validCloudPc = fc
    .record({
        cloudPcId: guid,
        storage: fc.option(
            fc.tuple(
                storageAccountId,
                fc.option(fc.constantFrom("hot", "cool", "cold", "archive"), { nil: undefined }),
            ),
            { nil: undefined },
        ),
        waitForCompletion: fc.option(fc.boolean(), { nil: undefined }),
        timeoutMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: undefined }),
    })
    .map(({ storage, ...rest }) => ({
        ...rest,
        ...(storage ? { storageAccountId: storage[0], ...(storage[1] ? { accessTier: storage[1] } : {}) } : {}),
    }));

// Adversarial values.
export const invisible = fc.constantFrom(
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u00ad",
    "\u061c",
);
export const control = fc.constantFrom("\u0000", "\n", "\r", "\t", "\u001b[31m", "\u007f", "\u0085");
export const huge = fc
    .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1025, max: 120_000 }))
    .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
export const insertAt = (base: fc.Arbitrary<string>, extra: fc.Arbitrary<string>) =>
    fc
        .tuple(base, extra, fc.nat())
        .map(([b, e, i]) => `${b.slice(0, i % (b.length + 1))}${e}${b.slice(i % (b.length + 1))}`);
export const weirdString = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    huge,
    insertAt(fc.string(), invisible),
    insertAt(fc.string(), control),
    fc.constantFrom(
        "",
        " ",
        "null",
        "undefined",
        "true",
        "0",
        "-1",
        "NaN",
        "Infinity",
        "[]",
        "{}",
        "__proto__",
        "constructor",
        "../..",
        "%2e%2e",
        "%00",
        "\\\\server\\share",
    ),
);
export const wrongType = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.array(fc.array(fc.anything(), { maxLength: 2 }), { maxLength: 2 }),
    fc.object({ maxDepth: 2 }),
    fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
);
export const anyValue = fc.oneof(weirdString, wrongType, fc.anything());
export const badGuid = fc
    .oneof(
        weirdString,
        wrongType,
        guid.map((g) => `{${g}}`),
        guid.map((g) => g.replace(/-/g, "")),
        guid.map((g) => ` ${g}`),
        guid.map((g) => `${g}\n`),
        guid.map((g) => g.slice(0, -1)),
        guid.map((g) => `${g}0`),
        guid.map((g) => g.replace(/[0-9a-f]/i, "g")),
        fc.tuple(guid, invisible).map(([g, z]) => `${g.slice(0, 8)}${z}${g.slice(8)}`),
        guid.map((g) => g.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))), // full-width digits
    )
    .filter(
        (v) => !(typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)),
    );
export const badStorageAccountId = fc.oneof(
    weirdString,
    wrongType,
    storageAccountId.map((s) => s.replace(/\/storageAccounts\/.*/, "")),
    storageAccountId.map((s) => `${s}/blobServices/default`),
    storageAccountId.map((s) => s.replace("/subscriptions/", "/subscriptions/../subscriptions/")),
    storageAccountId.map((s) => s.replace(/storage/i, "Compute")),
    storageAccountId.map((s) =>
        s.replace(/storageAccounts\/(.*)$/, (_m, a: string) => `storageAccounts/${a.toUpperCase()}X`),
    ),
    storageAccountId.map((s) => s.replace(/^\/subscriptions\/[^/]+/, "/subscriptions/not-a-guid")),
    storageAccountId.map((s) => s.replace(/resourceGroups\/[^/]+/, "resourceGroups/rg.")),
    fc.tuple(storageAccountId, fc.oneof(invisible, control)).map(([s, c]) => `${s}${c}`),
    storageAccountId.map((s) => `https://management.azure.com${s}`),
    huge.map(
        (h) =>
            `/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/${h}/providers/Microsoft.Storage/storageAccounts/abc`,
    ),
);
export const badContainer = fc
    .oneof(
        weirdString,
        wrongType,
        fc.constantFrom(
            "ab",
            "a".repeat(64),
            "Vhds",
            "vh--ds",
            "-vhds",
            "vhds-",
            "vh_ds",
            "vh.ds",
            "vhds/",
            "../vhds",
            "%2e%2e",
            "$root",
        ),
        fc.tuple(containerName, fc.oneof(invisible, control)).map(([c, x]) => `${c}${x}`),
    )
    .filter((v) => !(typeof v === "string" && /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(v)));
export const traversal = fc.constantFrom(
    "..",
    ".",
    "../x.vhd",
    "./x.vhd",
    "a/../x.vhd",
    "a/./x.vhd",
    "a//x.vhd",
    "/x.vhd",
    "x.vhd/",
    "a\\x.vhd",
    "..\\x.vhd",
    "%2e%2e/x.vhd",
    "a/%2e%2e/x.vhd",
    "%2E%2E/x.vhd",
    ".%2e/x.vhd",
    "%2e/x.vhd",
    "a%2f..%2fx.vhd",
    "a%2F%2E%2E%2Fx.vhd",
    "a%5c..%5cx.vhd",
    "%252e%252e/x.vhd",
    "x.vhd%00.vhd",
    "x.vhdx",
    "x.vhd.zip",
    "x",
    "",
    "\u202ex.dhv.vhd\u202c",
);
export const badBlobName = fc.oneof(
    weirdString.filter((s) => !s.toLowerCase().endsWith(".vhd")),
    wrongType,
    traversal,
    fc
        .tuple(vhdName, fc.oneof(invisible, control), fc.nat())
        .map(([n, x, i]) => `${n.slice(0, i % n.length)}${x}${n.slice(i % n.length)}`),
    huge.map((h) => `${h}.vhd`),
);
export const badSasUrl = fc.oneof(
    weirdString,
    wrongType,
    sasUrl.map((u) => u.replace("https:", "http:")),
    sasUrl.map((u) => u.replace(/[?&]sig=[^&]*/, "")),
    sasUrl.map((u) => u.replace(`sig=${SIG}`, "sig=")),
    sasUrl.map((u) => u.replace(`&sig=${SIG}`, `#sig=${SIG}`)),
    sasUrl.map((u) => u.replace("https://", `https://user:${SIG}@`)),
    sasUrl.map((u) => u.replace("https:", "ftp:")),
    sasUrl.map((u) => u.replace(/^https:\/\/[^/]+/, "")),
    sasUrl.map((u) => `javascript:alert(1)//${u}`),
    sasUrl.map((u) => u.replace(/\/([^/?]+)\?/, "/$1x?")), // not a .vhd
    fc.tuple(sasUrl, traversal).map(([u, t]) => u.replace(/(blob\.core\.windows\.net\/[^/]+)\/[^?]*\?/, `$1/${t}?`)),
    fc
        .tuple(sasUrl, fc.constantFrom("..", "%2e%2e", ".", "%2E"))
        .map(([u, t]) => u.replace(/(blob\.core\.windows\.net)\/([^/]+)\//, `$1/$2/${t}/`)),
    fc.tuple(sasUrl, fc.oneof(invisible, control)).map(([u, x]) => u.replace(/\.vhd\?/i, `${x}.vhd?`)),
    huge.map((h) => `https://a.blob.core.windows.net/c/${h}.vhd?sig=${SIG}`),
    fc
        .constantFrom("%zz", "%E0%A4%A", "%", "%2f..%2f", "a%5c..")
        .map((bad) => `https://a.blob.core.windows.net/vhds/${bad}x.vhd?sig=${SIG}`),
);
export const unknownKey = fc.oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom(
        "__proto__",
        "constructor",
        "prototype",
        "assignedUser",
        "sasURL",
        "source_files",
        "a.b",
        "x[0]",
        "snapshotId",
        "\u202eId",
    ),
);

// A valid input with one thing broken; the expected failure's property (undefined: any property).
export type Broken = { input: Record<string, unknown>; expect?: string };
export const brokenImported: fc.Arbitrary<Broken> = fc.oneof(
    fc
        .tuple(validImported, badGuid)
        .map(([v, g]) => ({ input: { ...v, assignedUserId: g }, expect: "assignedUserId" })),
    fc
        .tuple(
            validImported,
            badGuid.filter((g) => g !== undefined && g !== null && g !== ""),
        )
        .map(([v, g]) => ({ input: { ...v, adoptSnapshotId: g }, expect: "adoptSnapshotId" })),
    fc
        .tuple(validImported, fc.oneof(wrongType, weirdString, fc.constant([])))
        .filter(([, s]) => s !== undefined)
        .map(([v, s]) => ({ input: { ...v, sourceFiles: s }, expect: "sourceFiles" })),
    fc
        .tuple(
            validImported,
            fc.oneof(weirdString, wrongType).filter((x) => x !== undefined && x !== null && typeof x !== "boolean"),
        )
        .map(([v, x]) => ({ input: { ...v, waitForCompletion: x }, expect: "waitForCompletion" })),
    fc
        .tuple(
            validImported,
            fc
                .oneof(weirdString, wrongType, fc.constantFrom(0, -1, 1441, 1e9, -0.0001))
                .filter((x) => x !== undefined && x !== null && !(typeof x === "number" && x > 0 && x <= 1440)),
        )
        .map(([v, x]) => ({ input: { ...v, timeoutMinutes: x }, expect: "timeoutMinutes" })),
    fc
        .tuple(validImported, unknownKey, anyValue)
        .filter(([, k]) => !IMPORTED.fields.includes(k) && k !== "__provider")
        .map(([v, k, x]) => {
            const input: Record<string, unknown> = { ...v };
            Object.defineProperty(input, k, { value: x, enumerable: true, writable: true, configurable: true });
            return { input, expect: k };
        }),
    // One source file broken in one place.
    // Each field with a value bad for that field (a bad storage account id such as "undefined" is a fine container).
    fc
        .oneof(
            fc.tuple(guid, blobInfo, fc.constant("storageAccountId"), badStorageAccountId as fc.Arbitrary<unknown>),
            fc.tuple(guid, blobInfo, fc.constant("containerName"), badContainer as fc.Arbitrary<unknown>),
            fc.tuple(guid, blobInfo, fc.constant("fileName"), badBlobName as fc.Arbitrary<unknown>),
        )
        .map(([user, b, field, bad]) => {
            const info: Record<string, unknown> = {
                storageAccountId: b.storageAccountId,
                containerName: b.containerName,
                fileName: "ok.vhd",
                [field]: bad,
            };
            return { input: { assignedUserId: user, sourceFiles: [{ storageBlobInfo: info }] } };
        }),
    fc.tuple(guid, blobInfo, badStorageAccountId).map(([user, b, bad]) => ({
        input: { assignedUserId: user, sourceFiles: [{ storageBlobInfo: { ...b, storageAccountId: bad } }] },
        expect: "sourceFiles[0].storageBlobInfo.storageAccountId",
    })),
    fc.tuple(guid, blobInfo, badContainer).map(([user, b, bad]) => ({
        input: { assignedUserId: user, sourceFiles: [{ storageBlobInfo: { ...b, containerName: bad } }] },
        expect: "sourceFiles[0].storageBlobInfo.containerName",
    })),
    fc
        .tuple(guid, storageAccountId, containerName, badBlobName, fc.constantFrom("fileName", "blobName"))
        .filter(([, , , bad]) => bad !== undefined && bad !== null)
        .map(([user, id, c, bad, field]) => ({
            input: {
                assignedUserId: user,
                sourceFiles: [{ storageBlobInfo: { storageAccountId: id, containerName: c, [field]: bad } }],
            },
            expect: `sourceFiles[0].storageBlobInfo.${field}`,
        })),
    fc
        .tuple(guid, badSasUrl)
        .filter(([, u]) => u !== undefined && u !== null && u !== "")
        .map(([user, u]) => ({
            input: { assignedUserId: user, sourceFiles: [{ sasUrl: u }] },
            expect: "sourceFiles[0].sasUrl",
        })),
    // Duplicate or conflicting files, nested arrays, entries of the wrong type.
    fc
        .tuple(guid, sourceFile("dataFile"))
        .map(([user, f]) => ({ input: { assignedUserId: user, sourceFiles: [f, f] }, expect: "sourceFiles" })),
    fc
        .tuple(guid, sourceFile("virtualMachineGuestState"))
        .map(([user, f]) => ({ input: { assignedUserId: user, sourceFiles: [f] }, expect: "sourceFiles" })),
    fc
        .tuple(guid, fc.array(sourceFile(undefined), { minLength: 3, maxLength: 6 }))
        .map(([user, fs]) => ({ input: { assignedUserId: user, sourceFiles: fs }, expect: "sourceFiles" })),
    fc
        .tuple(guid, sourceFile(undefined))
        .map(([user, f]) => ({ input: { assignedUserId: user, sourceFiles: [[f]] }, expect: "sourceFiles[0]" })),
    fc.tuple(guid, wrongType).map(([user, x]) => ({ input: { assignedUserId: user, sourceFiles: [x] } })),
    fc.tuple(guid, blobInfo, sasUrl).map(([user, b, u]) => ({
        input: { assignedUserId: user, sourceFiles: [{ storageBlobInfo: b, sasUrl: u }] },
        expect: "sourceFiles[0]",
    })),
    fc
        .tuple(
            guid,
            sourceFile(undefined),
            fc
                .oneof(weirdString, wrongType)
                .filter((x) => x !== undefined && x !== null && x !== "dataFile" && x !== "virtualMachineGuestState"),
        )
        .map(([user, f, t]) => ({
            input: { assignedUserId: user, sourceFiles: [{ ...f, fileType: t }] },
            expect: "sourceFiles[0].fileType",
        })),
    fc
        .tuple(guid, sourceFile(undefined), unknownKey, anyValue)
        .filter(([, , k]) => !SOURCE_FILE.fields.includes(k))
        .map(([user, f, k, x]) => {
            const e: Record<string, unknown> = { ...f };
            Object.defineProperty(e, k, { value: x, enumerable: true, writable: true, configurable: true });
            return { input: { assignedUserId: user, sourceFiles: [e] }, expect: `sourceFiles[0].${k}` };
        }),
    fc
        .tuple(guid, blobInfo, unknownKey, anyValue)
        .filter(([, , k]) => !BLOB.fields.includes(k))
        .map(([user, b, k, x]) => {
            const info: Record<string, unknown> = { ...b };
            Object.defineProperty(info, k, { value: x, enumerable: true, writable: true, configurable: true });
            return {
                input: { assignedUserId: user, sourceFiles: [{ storageBlobInfo: info }] },
                expect: `sourceFiles[0].storageBlobInfo.${k}`,
            };
        }),
);
export const brokenCloudPc: fc.Arbitrary<Broken> = fc.oneof(
    fc.tuple(validCloudPc, badGuid).map(([v, g]) => ({ input: { ...v, cloudPcId: g }, expect: "cloudPcId" })),
    fc
        .tuple(
            validCloudPc,
            badStorageAccountId.filter((x) => x !== undefined && x !== null && x !== ""),
        )
        .map(([v, s]) => ({ input: { ...v, storageAccountId: s }, expect: "storageAccountId" })),
    fc
        .tuple(
            validCloudPc,
            fc
                .oneof(weirdString, wrongType)
                .filter(
                    (x) =>
                        x !== undefined &&
                        x !== null &&
                        x !== "" &&
                        !["hot", "cool", "cold", "archive"].includes(x as string),
                ),
        )
        .map(([v, t]) => ({ input: { ...v, accessTier: t }, expect: "accessTier" })),
    fc.tuple(validCloudPc, fc.constantFrom("hot", "cool")).map(([v, t]) => {
        const input: Record<string, unknown> = { ...v, accessTier: t };
        delete input.storageAccountId;
        return { input, expect: "accessTier" };
    }),
    fc
        .tuple(
            validCloudPc,
            fc
                .oneof(weirdString, wrongType, fc.constantFrom(0, -5, 1441))
                .filter((x) => x !== undefined && x !== null && !(typeof x === "number" && x > 0 && x <= 1440)),
        )
        .map(([v, x]) => ({ input: { ...v, timeoutMinutes: x }, expect: "timeoutMinutes" })),
    fc
        .tuple(validCloudPc, unknownKey, anyValue)
        .filter(([, k]) => !CLOUD_PC.fields.includes(k) && k !== "__provider")
        .map(([v, k, x]) => {
            const input: Record<string, unknown> = { ...v };
            Object.defineProperty(input, k, { value: x, enumerable: true, writable: true, configurable: true });
            return { input, expect: k };
        }),
);
/** Anything at all under the known names and a few unknown ones: must not throw, failures must be well formed. */
export const chaos = (level: Level) =>
    fc.dictionary(
        fc.oneof(fc.constantFrom(...level.fields), unknownKey),
        fc.oneof(
            anyValue,
            fc.array(fc.dictionary(fc.oneof(fc.constantFrom(...SOURCE_FILE.fields), unknownKey), anyValue)),
            fc.dictionary(fc.constantFrom(...BLOB.fields), anyValue),
        ),
        { maxKeys: 7 },
    );
