// The provider's handlers run in the test process (no gRPC): configured for an emulator as a stack's
// `cloudpc:*` config would configure them.
import type { Emulator } from "../../emulator";
import { configureFrom } from "../../provider/runtime/context";

export function configureForEmulator(emulator: Emulator): void {
    const env = emulator.env();
    const config: Record<string, string> = {
        "cloudpc:tenantId": env.AZURE_TENANT_ID, "cloudpc:clientId": env.AZURE_CLIENT_ID, "cloudpc:clientSecret": env.AZURE_CLIENT_SECRET,
        "cloudpc:graphEndpoint": env.CLOUDPC_GRAPH_ENDPOINT, "cloudpc:authorityHost": env.CLOUDPC_AUTHORITY_HOST,
    };
    configureFrom({ get: (k: string) => config[k] });
}
