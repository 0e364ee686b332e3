// The error for bad or missing provider settings. Its message names the config key, its env fallbacks, the bad
// value (never a secret's) and the fix, so a user can act on it without reading code.

import { redact } from "../util/redact";
import { describeSetting, type SettingSpec } from "./settings-table";

export class SettingsError extends Error {
    /** Config keys concerned, e.g. ["cloudpc:graphEndpoint"]. */
    readonly keys: string[];

    constructor(message: string, keys: string[]) {
        super(redact(message));
        this.name = "SettingsError";
        this.keys = keys;
    }

    /** A value that is present but wrong. `source` says where it came from ("stack config" or the env var). */
    static invalid(spec: SettingSpec, value: string, source: string, problem: string, fix: string): SettingsError {
        const shown = spec.secret ? "<secret, not shown>" : JSON.stringify(value);
        return new SettingsError(
            `Invalid provider setting ${describeSetting(spec)}: value ${shown} from ${source} ${problem}. Fix: ${fix}`,
            [spec.configKey],
        );
    }

    /** Settings that a chosen authentication method needs but that are absent. */
    static missing(specs: SettingSpec[], because: string): SettingsError {
        const names = specs.map(describeSetting);
        const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
        return new SettingsError(
            `Missing provider setting${specs.length > 1 ? "s" : ""}: ${because}, but ${list} ${specs.length > 1 ? "are" : "is"} not set. ` +
                `Fix: set ${specs.length > 1 ? "them" : "it"} with \`pulumi config set\` or the environment.`,
            specs.map((s) => s.configKey),
        );
    }
}
