// Settings that point the provider at an emulator, written as a stack's `cloudpc:*` config would hold them: for a
// provider process (`configure(stackConfigFor(emulator))`) and for handlers running in the test process.
import type { Emulator } from "../../emulator";
import { configureFrom } from "../../provider/runtime/context";

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
