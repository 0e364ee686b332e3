// One tenant of the emulator: its app registrations and users (its directory), and its own Cloud PC data (imports,
// restore points) behind the one Graph endpoint, as in Graph, where the access token's `tid` picks the tenant.
import { GraphRoutes } from "./graph";
import { InMemoryImportStore } from "./imports";
import type { EmulatorClient, EmulatorUser, RuntimeSettings } from "./options";
import { InMemoryRestorePoints } from "./snapshots";

/** What the authority needs of a tenant: who may sign in there. */
export interface TenantDirectory {
    readonly tenantId: string;
    clients(): readonly EmulatorClient[];
}

/** A tenant as tests and the control routes see it: its first app registration and its data. */
export interface EmulatorTenantView {
    readonly tenantId: string;
    readonly clientId: string;
    /** The first client's secret ("" when it has none). */
    readonly clientSecret: string;
    readonly imports: InMemoryImportStore;
    readonly restorePoints: InMemoryRestorePoints;
}

export class EmulatorTenant implements TenantDirectory, EmulatorTenantView {
    readonly imports = new InMemoryImportStore();
    readonly restorePoints = new InMemoryRestorePoints();
    readonly graph: GraphRoutes;

    /** `clients` and `users` are functions: the first tenant's change with setOptions. */
    constructor(
        readonly tenantId: string,
        readonly clients: () => readonly EmulatorClient[],
        users: () => ReadonlyMap<string, EmulatorUser>,
        origin: string,
        runtime: RuntimeSettings,
    ) {
        this.graph = new GraphRoutes({
            origin,
            runtime,
            users,
            imports: this.imports,
            restorePoints: this.restorePoints,
        });
    }

    get clientId(): string {
        return this.clients()[0]!.clientId;
    }

    get clientSecret(): string {
        return this.clients()[0]!.clientSecret ?? "";
    }
}
