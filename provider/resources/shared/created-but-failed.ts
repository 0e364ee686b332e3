// The error the engine turns into "created, but failed" (ErrorResourceInitFailed): the resource is recorded with its
// id and these properties, so what Graph holds is never orphaned, and a later `pulumi up` continues it (update).
export class CreatedButFailedError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly properties: Record<string, unknown>,
        readonly reasons: string[] = [message],
    ) {
        super(message);
        this.name = "CreatedButFailedError";
    }
}
