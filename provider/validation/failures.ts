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
}
