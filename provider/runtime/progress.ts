// Progress and warnings from the provider, shown by `pulumi up`: on the resource's row when the engine can be
// reached and the inputs name the URN (resourceProgress), else as stack-level lines through Pulumi's log. Every
// line passes through redact(): nothing the provider says may carry a SAS signature, a client secret or a token.
// Only the log module: the provider process must not pay for the whole SDK (tens of MB per process).
import * as log from "@pulumi/pulumi/log";
import { redact } from "../util/redact";
import type { EngineLog, EngineSeverity } from "./engine-log";

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
    info(m: string): void {
        this.lines.push(`info: ${redact(m)}`);
    }
    warn(m: string): void {
        this.lines.push(`warn: ${redact(m)}`);
    }
    debug(m: string): void {
        this.lines.push(`debug: ${redact(m)}`);
    }
}

/**
 * Progress on the row of the resource `urn` names, through the engine's Log service (engine-log.ts): info as an
 * ephemeral status line, warnings as warnings the CLI counts, debug lines for `--debug`. A line the engine did not
 * take goes to `fallback`. Lines reach it already redacted (the runtime's redactor); redact() runs once more, as in
 * pulumiProgress.
 */
export function resourceProgress(urn: string, engine: EngineLog, fallback: Progress): Progress {
    const send = (severity: EngineSeverity, m: string, orElse: (m: string) => void) => {
        void engine.log(severity, redact(m), urn, severity === "info").then((took) => took || orElse(m));
    };
    return {
        info: (m) => send("info", m, (x) => fallback.info(x)),
        warn: (m) => send("warning", m, (x) => fallback.warn(x)),
        debug: (m) => send("debug", m, (x) => fallback.debug(x)),
    };
}
