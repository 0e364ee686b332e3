// Settings that point the provider at an emulator, written as a stack's `cloudpc:*` config would hold them: for a
// provider process (providerForEmulator) and for handlers running in the test process (configureForEmulator).
import type { Emulator } from "../../emulator";
import { configureFrom } from "../../provider/runtime/context";
import { DynamicProviderProcess } from "./dynamic-provider";

export function stackConfigFor(emulator: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
    return {
        "cloudpc:tenantId": emulator.tenantId, "cloudpc:clientId": emulator.clientId, "cloudpc:clientSecret": emulator.clientSecret,
        "cloudpc:graphEndpoint": emulator.graphEndpoint, "cloudpc:authorityHost": emulator.authorityHost,
        ...overrides,
    };
}

/** Configures the handlers in this process (no gRPC) for `emulator`. */
export function configureForEmulator(emulator: Emulator): void {
    const config = stackConfigFor(emulator);
    configureFrom({ get: (k: string) => config[k] });
}

/**
 * A dynamic-provider process configured for `emulator` as in a real stack: settings from the stack config
 * (`configOverrides` on top), none from its environment (the credential variables are blanked).
 */
export async function providerForEmulator(emulator: Emulator, configOverrides: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): Promise<DynamicProviderProcess> {
    const provider = await DynamicProviderProcess.start({
        env: { CLOUDPC_POLL_INTERVAL_MS: "100", AZURE_CLIENT_SECRET: "", AZURE_CLIENT_ID: "", AZURE_TENANT_ID: "", ...env },
    });
    try {
        await provider.configure(stackConfigFor(emulator, configOverrides));
    } catch (err) {
        await provider.close();
        throw err;
    }
    return provider;
}
