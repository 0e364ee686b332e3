// Progress and warnings from the provider, shown by `pulumi up`. Every line passes through redact(): nothing the
// provider says may carry a SAS signature, a client secret or a token.
// Only the log module: the provider process must not pay for the whole SDK (tens of MB per process).
import * as log from "@pulumi/pulumi/log";
import { redact } from "../util/redact";

export interface Progress {
    info(message: string): void;
    warn(message: string): void;
    debug(message: string): void;
}

/** Progress through Pulumi's logging (the engine shows it; in a bare process it goes to stdout/stderr). */
export const pulumiProgress: Progress = {
    info: (m) => void log.info(`cloudpc: ${redact(m)}`),
    warn: (m) => void log.warn(`cloudpc: ${redact(m)}`),
    debug: (m) => void log.debug(`cloudpc: ${redact(m)}`),
};

/** Collects lines, for tests. */
export class RecordingProgress implements Progress {
    readonly lines: string[] = [];
    info(m: string): void { this.lines.push(`info: ${redact(m)}`); }
    warn(m: string): void { this.lines.push(`warn: ${redact(m)}`); }
    debug(m: string): void { this.lines.push(`debug: ${redact(m)}`); }
}
