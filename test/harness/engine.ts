// A small stand-in for the Pulumi engine's deployment steps, driving a DynamicProviderProcess: check, diff, then
// create / replace (honouring deleteBeforeReplace) / delete, with state kept like the engine keeps it (inputs and
// outputs per resource, `__provider` included). Used until the real CLI runs in tests.
import { DynamicProviderProcess, PROVIDER_KEY, ProviderCallError, type Props } from "./dynamic-provider";

export interface ResourceState {
    name: string;
    urn: string;
    id: string;
    inputs: Props;
    outputs: Props;
    /** Recorded from an ErrorResourceInitFailed: the engine continues it with an update on the next up. */
    initErrors?: string[];
}

export interface Desired {
    name: string;
    inputs: Props;
}

export interface StepLog {
    op: "create" | "delete" | "same" | "replace" | "drop" | "update";
    name: string;
    id?: string;
}

export class MiniEngine {
    readonly state = new Map<string, ResourceState>();
    readonly steps: StepLog[] = [];

    constructor(
        readonly provider: DynamicProviderProcess,
        readonly serializedProvider: string,
        readonly type = "pulumi-nodejs:dynamic/cloudpc:ImportedSnapshot",
    ) {}

    urn(name: string): string {
        return `urn:pulumi:test::cloudpc::${this.type}::${name}`;
    }

    /** check + diff only: what `pulumi preview` asks of a provider. */
    async preview(desired: Desired[]): Promise<StepLog[]> {
        const plan: StepLog[] = [];
        for (const d of desired) {
            const old = this.state.get(d.name);
            const checked = await this.checked(d, old);
            if (!old) {
                plan.push({ op: "create", name: d.name });
                continue;
            }
            const diff = await this.provider.diff(old.id, old.urn, old.outputs, checked);
            const op = diff.changes === "none" ? "same" : diff.replaces.length === 0 ? "update" : "replace";
            plan.push({ op, name: d.name, id: old.id });
        }
        for (const name of this.state.keys())
            if (!desired.some((d) => d.name === name)) plan.push({ op: "delete", name });
        return plan;
    }

    /** `pulumi up`: resources in order; replacements honour deleteBeforeReplace; leftovers are deleted. */
    async up(desired: Desired[]): Promise<StepLog[]> {
        const steps: StepLog[] = [];
        for (const d of desired) {
            const old = this.state.get(d.name);
            const checked = await this.checked(d, old);
            if (!old) {
                await this.create(d.name, checked, steps);
                continue;
            }
            const diff = await this.provider.diff(old.id, old.urn, old.outputs, checked);
            if (diff.changes === "none" && old.initErrors) {
                // As the engine does (step_generator: hasInitErrors → UpdateStep): continue initialization.
                await this.update(old, checked, steps);
                continue;
            }
            if (diff.changes === "none") {
                // As the engine does on a step with no changes: the new inputs are recorded, the old outputs kept.
                old.inputs = checked;
                steps.push({ op: "same", name: d.name, id: old.id });
                continue;
            }
            if (diff.replaces.length === 0) {
                // A change that needs no replacement: the provider's update (for ours, a rewrite of what is stored).
                await this.update(old, checked, steps);
                continue;
            }
            if (diff.deleteBeforeReplace) {
                await this.remove(old, steps);
                await this.create(d.name, checked, steps);
            } else {
                const replaced = { ...old };
                await this.create(d.name, checked, steps);
                await this.provider.delete(replaced.id, replaced.urn, replaced.outputs);
                steps.push({ op: "delete", name: d.name, id: replaced.id });
            }
            steps.push({ op: "replace", name: d.name });
        }
        for (const [name, res] of [...this.state])
            if (!desired.some((d) => d.name === name)) await this.remove(res, steps);
        this.steps.push(...steps);
        return steps;
    }

    /** `pulumi refresh`: read each resource; an empty id drops it from state. */
    async refresh(): Promise<StepLog[]> {
        const steps: StepLog[] = [];
        for (const res of [...this.state.values()]) {
            const r = await this.provider.read(res.id, res.urn, res.outputs, res.inputs);
            if (!r.id) {
                this.state.delete(res.name);
                steps.push({ op: "drop", name: res.name, id: res.id });
            } else {
                res.outputs = r.properties;
                steps.push({ op: "same", name: res.name, id: r.id });
            }
        }
        return steps;
    }

    async destroy(): Promise<StepLog[]> {
        const steps: StepLog[] = [];
        for (const res of [...this.state.values()].reverse()) await this.remove(res, steps);
        return steps;
    }

    /** Everything the engine would write to the state file, as one string (for leak checks). */
    serializedState(): string {
        return JSON.stringify([...this.state.values()]);
    }

    private async checked(d: Desired, old: ResourceState | undefined): Promise<Props> {
        const news = { ...d.inputs, [PROVIDER_KEY]: this.serializedProvider };
        const { inputs, failures } = await this.provider.check(this.urn(d.name), old?.inputs ?? {}, news);
        if (failures.length > 0) throw new CheckFailedError(failures);
        return inputs;
    }

    private async create(name: string, inputs: Props, steps: StepLog[]): Promise<void> {
        const urn = this.urn(name);
        try {
            const r = await this.provider.create(urn, inputs);
            this.state.set(name, { name, urn, id: r.id, inputs, outputs: r.properties });
            steps.push({ op: "create", name, id: r.id });
        } catch (err) {
            // Like the engine: a "created but failed" resource is recorded, so it is not orphaned.
            if (err instanceof ProviderCallError && err.initFailure) {
                this.state.set(name, {
                    name,
                    urn,
                    id: err.initFailure.id,
                    inputs,
                    outputs: err.initFailure.properties,
                    initErrors: err.initFailure.reasons,
                });
                steps.push({ op: "create", name, id: err.initFailure.id });
            }
            throw err;
        }
    }

    private async update(res: ResourceState, inputs: Props, steps: StepLog[]): Promise<void> {
        try {
            const r = await this.provider.update(res.id, res.urn, res.outputs, inputs);
            Object.assign(res, { inputs, outputs: r.properties, initErrors: undefined });
            steps.push({ op: "update", name: res.name, id: res.id });
        } catch (err) {
            if (err instanceof ProviderCallError && err.initFailure) {
                Object.assign(res, {
                    inputs,
                    outputs: err.initFailure.properties,
                    initErrors: err.initFailure.reasons,
                });
            }
            throw err;
        }
    }

    private async remove(res: ResourceState, steps: StepLog[]): Promise<void> {
        await this.provider.delete(res.id, res.urn, res.outputs);
        this.state.delete(res.name);
        steps.push({ op: "delete", name: res.name, id: res.id });
    }
}

export class CheckFailedError extends Error {
    constructor(readonly failures: { property: string; reason: string }[]) {
        super(failures.map((f) => f.reason).join("\n"));
    }
}
