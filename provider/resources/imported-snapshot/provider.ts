// The dynamic provider object serialized into each resource's state. It holds no state and captures no module:
// each method loads handlers.ts on first use (see runtime/lazy-module.ts), so the serialized text stays ~1 KB and
// can never carry a secret.
import type * as pulumi from "@pulumi/pulumi";
import { loadModule, locate } from "../../runtime/lazy-module";

type Handlers = typeof import("./handlers");
const HANDLERS = locate(`${__dirname}/handlers`);

function handlers(): Handlers {
    return loadModule<Handlers>(HANDLERS);
}

export class CloudPcImportedSnapshotProvider implements pulumi.dynamic.ResourceProvider {
    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        return handlers().configure(req);
    }
    async check(olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
        return handlers().check(olds, news);
    }
    async diff(id: string, olds: any, news: any): Promise<pulumi.dynamic.DiffResult> {
        return handlers().diff(id, olds, news);
    }
    async create(inputs: any): Promise<pulumi.dynamic.CreateResult> {
        return handlers().create(inputs);
    }
    async update(id: string, olds: any, news: any): Promise<pulumi.dynamic.UpdateResult> {
        return handlers().update(id, olds, news);
    }
    async read(id: string, props: any): Promise<pulumi.dynamic.ReadResult> {
        return handlers().read(id, props);
    }
    async delete(id: string, _props: any): Promise<void> {
        return handlers().remove(id);
    }
}
