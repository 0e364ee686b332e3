// Settings that point the provider at an emulator, written as a stack's `cloudpc:*` config would hold them: for a
// provider process (providerForEmulator) and for handlers running in the test process (configureForEmulator).
import type { Emulator } from "../../emulator";
import { resolveSettings } from "../../provider/config/settings";
import { ProviderRuntime, type RuntimeOptions } from "../../provider/runtime/runtime";
import { DynamicProviderProcess } from "./dynamic-provider";

export function stackConfigFor(emulator: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
    return {
        "cloudpc:tenantId": emulator.tenantId,
        "cloudpc:clientId": emulator.clientId,
        "cloudpc:clientSecret": emulator.clientSecret,
        "cloudpc:graphEndpoint": emulator.graphEndpoint,
        "cloudpc:authorityHost": emulator.authorityHost,
        ...overrides,
    };
}

/** A provider runtime in this process (no gRPC) for `emulator`, its settings from a stack config and not the environment. */
export function runtimeForEmulator(
    emulator: Emulator,
    options: RuntimeOptions = {},
    overrides: Record<string, string> = {},
): ProviderRuntime {
    const config = stackConfigFor(emulator, { "cloudpc:pollIntervalSeconds": "0.1", ...overrides });
    return new ProviderRuntime(resolveSettings({ get: (k: string) => config[k] }, {}), options);
}

/**
 * A dynamic-provider process configured for `emulator` as in a real stack: settings from the stack config
 * (`configOverrides` on top), none from its environment (the credential variables are blanked).
 */
export async function providerForEmulator(
    emulator: Emulator,
    configOverrides: Record<string, string> = {},
    env: NodeJS.ProcessEnv = {},
): Promise<DynamicProviderProcess> {
    const provider = await DynamicProviderProcess.start({
        env: {
            CLOUDPC_POLL_INTERVAL_SECONDS: "0.1",
            AZURE_CLIENT_SECRET: "",
            AZURE_CLIENT_ID: "",
            AZURE_TENANT_ID: "",
            ...env,
        },
    });
    try {
        await provider.configure(stackConfigFor(emulator, configOverrides));
    } catch (err) {
        await provider.close();
        throw err;
    }
    return provider;
}
