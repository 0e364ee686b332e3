// What both resources' handlers do alike: the per-runtime handlers behind the module functions of the state
// contract, the stored __provider carried into outputs, the re-check at apply time, the diff that also rewrites
// stale state, and errors passed through the runtime's redactor once progress was sent.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderHandlers } from "../../runtime/lazy-provider";
import { runtimes } from "../../runtime/registry";
import type { ProviderRuntime, RuntimePart } from "../../runtime/runtime";
import { PROVIDER_KEY, providerTextChanged, withStateRewrite } from "../../runtime/stored-provider";
import { SettingsError } from "../../config/settings-error";
import type { CheckResult } from "../../validation/failures";
import { HIDDEN_INPUT } from "../../validation/hidden-input";
import { SETTINGS_INPUT, settingsNamespaceOf } from "../../validation/settings-input";
import { containsUnknown, isUnknown } from "../../validation/unknown";
import { CreatedButFailedError } from "./created-but-failed";

/** One resource's handlers for one runtime (configure belongs to the registry); delete's props may be left out. */
export type ResourceHandlers = Omit<ProviderHandlers, "configure" | "remove"> & {
    remove(id: string, props?: Record<string, unknown>): Promise<void>;
};

/**
 * The handlers a module of the state contract exports: configure() gives the registry the stack config, every other
 * call goes to the handlers of the runtime its `settings` names (the inputs', or for read and delete the state's;
 * none: the runtime configure() chose). A change of `settings` replaces, so the new inputs' runtime creates and the
 * old state's deletes.
 */
export function handlersOfConfiguredRuntime(
    part: RuntimePart<ResourceHandlers>,
): ResourceHandlers & Pick<ProviderHandlers, "configure"> {
    const of = (props?: Record<string, unknown>) => runtimes.forNamespace(settingsNamespaceOf(props)).part(part);
    return {
        configure: async (req: pulumi.dynamic.ConfigureRequest) => {
            runtimes.configure(req.config);
        },
        check: async (olds, news) => {
            // A namespace the stack config lacks is a failure of the input, shown with the others of the resource.
            let problem: string | undefined;
            let handlers: ResourceHandlers;
            try {
                handlers = of(news);
            } catch (err) {
                if (!(err instanceof SettingsError)) throw err;
                problem = err.message;
                handlers = of();
            }
            const result = await handlers.check(olds, news);
            const failures = result.failures ?? [];
            if (!problem || failures.some((f) => f.property === SETTINGS_INPUT)) return result;
            return { ...result, failures: [...failures, { property: SETTINGS_INPUT, reason: problem }] };
        },
        // Preview may not know the new settings yet: the state's runtime answers (diff reports the replacement).
        diff: (id, olds, news) => of(isUnknown(news[SETTINGS_INPUT]) ? olds : news).diff(id, olds, news),
        create: (inputs) => of(inputs).create(inputs),
        update: (id, olds, news) => of(news).update(id, olds, news),
        read: (id, props) => of(props).read(id, props),
        remove: (id, props) => of(props).remove(id, props),
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
