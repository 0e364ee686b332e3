// The SettingsError a call throws, for tests of what a bad or missing setting says.
import { strict as assert } from "node:assert";
import { SettingsError } from "../../provider/config/settings-error";

/** The SettingsError `fn` throws; fails the test if it throws anything else, nothing, or a message holding a secret. */
export function settingsErrorOf(fn: () => unknown, ...secrets: string[]): SettingsError {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof SettingsError, `expected SettingsError, got ${String(err)}`);
        for (const secret of secrets) assert.ok(!err.message.includes(secret), "a secret is in the error");
        return err;
    }
    assert.fail("expected a SettingsError");
}
