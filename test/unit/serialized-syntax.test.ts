// The SDK's closure serializer parses the provider's text with the project's TypeScript, or, in a JavaScript
// project without one, with the TypeScript 3.8.3 it vendors: the stored texts must be syntax that 3.8 parses, or a
// JavaScript user's first `pulumi up` fails with "Error serializing '() => provider' ... '{' expected".
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const VENDORED = path.join(
    path.dirname(require.resolve("@pulumi/pulumi/package.json")),
    "vendor",
    "typescript@3.8.3",
    "typescript.js",
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts38 = require(VENDORED) as typeof import("typescript");

/** The parse errors TypeScript 3.8 reports for `text` as a JavaScript file. */
function syntaxErrors(text: string): string[] {
    const file = ts38.createSourceFile("provider.js", text, ts38.ScriptTarget.Latest, false, ts38.ScriptKind.JS);
    const diagnostics = (file as unknown as { parseDiagnostics: import("typescript").Diagnostic[] }).parseDiagnostics;
    return diagnostics.map((d) => ts38.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("stored provider text: parsed by the TypeScript 3.8 the SDK falls back to", () => {
    it("is the SDK's vendored 3.8.3", () => assert.equal(ts38.version, "3.8.3"));

    it("rejects syntax newer than 3.8 (the check can fail)", () => {
        assert.ok(syntaxErrors("let a; a ??= 1;").length > 0);
        assert.deepEqual(syntaxErrors("let a; if (!a) a = 1; const b = a ?? 2;"), []);
    });

    for (const name of ["current-imported-snapshot.txt", "current-cloud-pc-snapshot.txt"]) {
        it(`${name} parses without errors`, () => {
            const text = fs.readFileSync(path.join(__dirname, "..", "stored-providers", name), "utf8");
            assert.deepEqual(syntaxErrors(text), []);
        });
    }
});
