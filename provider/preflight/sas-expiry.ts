// When a SAS URL stops working: the earlier of `se` (the SAS's expiry) and `ske` (for a user delegation SAS, the
// expiry of the delegation key it was signed with). Storage refuses the SAS after either.

export interface SasExpiry {
    at: number;
    field: "se" | "ske";
}

/** The moment the SAS expires, or undefined when it names none that parses (storage then judges it). */
export function sasExpiry(sasUrl: string): SasExpiry | undefined {
    let params: URLSearchParams;
    try {
        params = new URL(sasUrl).searchParams;
    } catch {
        return undefined;
    }
    let earliest: SasExpiry | undefined;
    for (const field of ["se", "ske"] as const) {
        const text = params.get(field);
        const at = text ? Date.parse(text) : NaN;
        if (Number.isFinite(at) && (earliest === undefined || at < earliest.at)) earliest = { at, field };
    }
    return earliest;
}

/**
 * How long a SAS must stay valid for a replacement to go ahead: Windows 365 reads the blob while it imports, and
 * a large disk takes a while. Generous on purpose: at least 4 hours, or twice the resource's timeoutMinutes.
 */
export function importWindowMs(timeoutMinutes: number): number {
    return Math.max(4 * 60, 2 * timeoutMinutes) * 60_000;
}

/** A definite objection when the SAS has expired or expires within `windowMs` of `now`; else undefined. */
export function sasExpiryObjection(sasUrl: string, now: number, windowMs: number): string | undefined {
    const expiry = sasExpiry(sasUrl);
    if (!expiry) return undefined;
    const when = new Date(expiry.at).toISOString();
    const what = expiry.field === "se" ? "its SAS" : "the user delegation key its SAS was signed with (ske)";
    if (expiry.at <= now) return `cannot be read by Windows 365: ${what} expired at ${when}`;
    if (expiry.at < now + windowMs) {
        return (
            `expires too soon: ${what} expires at ${when}, less than ${Math.round((windowMs / 3_600_000) * 10) / 10} h from now, ` +
            `and Windows 365 reads the blob while it imports; issue a SAS valid for longer`
        );
    }
    return undefined;
}
