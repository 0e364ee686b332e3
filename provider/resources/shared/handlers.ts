// What both resources' handlers do alike: the per-runtime handlers behind the module functions of the state
// contract, the stored __provider carried into outputs, the re-check at apply time, the diff that also rewrites
// stale state, and errors passed through the runtime's redactor once progress was sent.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderHandlers } from "../../runtime/lazy-provider";
import { runtimes } from "../../runtime/registry";
import type { ProviderRuntime, RuntimePart } from "../../runtime/runtime";
import { PROVIDER_KEY, providerTextChanged, withStateRewrite } from "../../runtime/stored-provider";
import type { CheckResult } from "../../validation/failures";
import { HIDDEN_INPUT } from "../../validation/hidden-input";
import { containsUnknown } from "../../validation/unknown";
import { CreatedButFailedError } from "./created-but-failed";

/** One resource's handlers for one runtime (configure belongs to the registry); delete's props may be left out. */
export type ResourceHandlers = Omit<ProviderHandlers, "configure" | "remove"> & {
    remove(id: string, props?: Record<string, unknown>): Promise<void>;
};

/**
 * The handlers a module of the state contract exports: configure() picks the runtime for the stack config, every
 * other call goes to that runtime's handlers of the resource.
 */
export function handlersOfConfiguredRuntime(
    part: RuntimePart<ResourceHandlers>,
): ResourceHandlers & Pick<ProviderHandlers, "configure"> {
    const of = () => runtimes.active().part(part);
    return {
        configure: async (req: pulumi.dynamic.ConfigureRequest) => {
            runtimes.configure(req.config);
        },
        check: (olds, news) => of().check(olds, news),
        diff: (id, olds, news) => of().diff(id, olds, news),
        create: (inputs) => of().create(inputs),
        update: (id, olds, news) => of().update(id, olds, news),
        read: (id, props) => of().read(id, props),
        remove: (id, props) => of().remove(id, props),
    };
}

/**
 * `handlers` with every error's message (and reasons) passed through the runtime's redactor, answering only once the
 * engine took the progress lines sent so far (a warning then belongs to the step, and the process may be stopped).
 */
export function redacting(runtime: ProviderRuntime, handlers: ResourceHandlers): ResourceHandlers {
    const guard =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
            try {
                return await fn(...args);
            } catch (err) {
                const r = runtime.redactor;
                if (err instanceof Error) err.message = r.redact(err.message);
                if (err instanceof CreatedButFailedError)
                    err.reasons.forEach((reason, i) => (err.reasons[i] = r.redact(reason)));
                throw err;
            } finally {
                await runtime.progressSent();
            }
        };
    return {
        check: guard(handlers.check),
        diff: guard(handlers.diff),
        create: guard(handlers.create),
        update: guard(handlers.update),
        read: guard(handlers.read),
        remove: guard(handlers.remove),
    };
}

/**
 * What the outputs (also of a "created but failed" record) carry over from the inputs: __provider, which the engine
 * needs to manage the resource later, and the hidden input, whose URN read and delete (given only the outputs) log to.
 */
export function carriedOf(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        [PROVIDER_KEY, HIDDEN_INPUT].filter((k) => inputs[k] !== undefined).map((k) => [k, inputs[k]]),
    );
}

/** check() has run; check again so a direct caller can never send invalid or unknown input to Graph. */
export function validInputs<T>(
    resource: string,
    inputs: Record<string, unknown>,
    check: (news: Record<string, unknown>) => CheckResult,
    asInputs: (checked: Record<string, unknown>) => T,
): T {
    const checked = check(inputs);
    if (checked.failures.length > 0) throw new Error(checked.failures.map((f) => f.reason).join("\n"));
    if (containsUnknown(checked.inputs)) throw new Error(`${resource}: inputs are still unknown at apply time.`);
    return asInputs(checked.inputs);
}

/** A diff that also reports a change (never a replace) when what is stored is stale: the provider text, or `outdated`. */
export function withStoredStateCheck<D extends { changes: boolean; replaces: string[] }>(
    result: D,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    outdated = false,
): D {
    return withStateRewrite(result, providerTextChanged(olds, news) || outdated);
}
