// The README's configuration and credential precedence tables are generated from SETTINGS_TABLE and
// CREDENTIAL_PRECEDENCE; this keeps them from drifting apart.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { credentialPrecedenceMarkdown } from "../../provider/config/credential-precedence";
import { SETTINGS_TABLE, settingsTableMarkdown } from "../../provider/config/settings";

describe("docs", () => {
    const readme = readFileSync(path.join(__dirname, "../..", "README.md"), "utf8");

    it("README starts with exactly the two commands", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1].trim().split("\n");
        assert.equal(firstBlock.length, 2);
        assert.match(firstBlock[0], /^bash scripts\/demo\.sh/);
        assert.match(firstBlock[1], /^bash scripts\/test\.sh/);
    });

    it("README's configuration table matches SETTINGS_TABLE", () => {
        assert.ok(readme.includes(settingsTableMarkdown().trim()), "regenerate the table from settingsTableMarkdown()");
        for (const s of SETTINGS_TABLE) assert.ok(readme.includes(`cloudpc:${s.key}`), s.key);
    });

    it("README's credential precedence table matches CREDENTIAL_PRECEDENCE", () => {
        assert.ok(
            readme.includes(credentialPrecedenceMarkdown().trim()),
            "regenerate the table from credentialPrecedenceMarkdown()",
        );
    });
});
