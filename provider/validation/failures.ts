// Collects check() failures in the shape the Pulumi engine shows next to the resource.
export interface CheckFailure {
    property: string;
    reason: string;
}

export class Failures {
    readonly list: CheckFailure[] = [];

    /** Records `reason` (a sentence from a rule, or undefined when the value was fine) against `property`. */
    add(property: string, reason: string | undefined): boolean {
        if (reason === undefined) return false;
        this.list.push({ property, reason: `${property} ${reason}` });
        return true;
    }

    /** A failure for every input the resource does not know (typos such as `assignedUserID` must not pass silently). */
    rejectUnknownInputs(news: Record<string, unknown>, known: ReadonlySet<string>, resource: string): void {
        const valid = [...known].filter((k) => !k.startsWith("__")).join(", ");
        for (const key of Object.keys(news)) {
            if (!known.has(key)) this.add(key, `is not an input of ${resource}; valid inputs are ${valid}.`);
        }
    }
}

/** What a resource's check() returns: its normalized inputs, or the failures that stop the run before Graph. */
export interface CheckResult {
    inputs: Record<string, unknown>;
    failures: CheckFailure[];
}
