// The `settings` input both resources share: the stack config namespace whose settings (another tenant's) manage
// the resource. Only its name is checked here; whether the stack config holds that namespace is the registry's
// to say (resources/shared/handlers.ts), since check() of a resource sees no config.
import { isDefaultNamespace, NAMESPACE_NAME } from "../config/settings-namespace";
import type { Failures } from "./failures";
import { describeType } from "./rules";
import { isUnknown } from "./unknown";

export const SETTINGS_INPUT = "settings";

/** Checks `settings` in `news`; absent, empty or the default namespace's name (`cloudpc`) leave it out of `inputs`. */
export function checkSettingsInput(news: Record<string, unknown>, inputs: Record<string, unknown>, f: Failures): void {
    const value = news[SETTINGS_INPUT];
    if (value === undefined || value === null || value === "") {
        delete inputs[SETTINGS_INPUT];
        return;
    }
    if (isUnknown(value)) return;
    if (typeof value !== "string") {
        f.add(
            SETTINGS_INPUT,
            `must be the name of a stack config namespace, such as "tenantB" for tenantB:clientId, got ${describeType(value)}.`,
        );
    } else if (!NAMESPACE_NAME.test(value)) {
        // The value is not shown: a secret put here by mistake must not end up in the output.
        f.add(
            SETTINGS_INPUT,
            `must be the name of a stack config namespace (letters, digits, -, _ and ., at most 100; no ":"), such as ` +
                `"tenantB" for the keys tenantB:tenantId, tenantB:clientId, ...; it names the settings, never holds a secret.`,
        );
    } else if (isDefaultNamespace(value)) {
        delete inputs[SETTINGS_INPUT];
    }
}

/**
 * The namespace that inputs or stored outputs name, for routing a call to its runtime: undefined for the default
 * (absent, null, empty, `cloudpc`) and for a value not known yet or not a string (check reports those).
 */
export function settingsNamespaceOf(props: Record<string, unknown> | undefined): string | undefined {
    const value = props?.[SETTINGS_INPUT];
    if (typeof value !== "string" || value === "" || isUnknown(value) || isDefaultNamespace(value)) return undefined;
    return value;
}

/** Whether olds and news name different settings (unknown news: maybe). Absent and `cloudpc` are the same. */
export function settingsChanged(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
    if (isUnknown(news[SETTINGS_INPUT])) return true;
    return settingsNamespaceOf(olds) !== settingsNamespaceOf(news);
}
