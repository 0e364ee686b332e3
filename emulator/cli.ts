// Standalone emulator: `bash scripts/emulator.sh [flags]`. Prints its URL and the export lines that point a stack
// at it, then serves until SIGINT/SIGTERM.
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCertificates } from "./certs";
import type { EmulatorOptions } from "./options";
import { startEmulator } from "./server";

const USAGE = `Usage: scripts/emulator.sh [options]

  --port <n>                 listen port (default: a free port)
  --host <addr>              listen address (default 127.0.0.1)
  --page-size <n>            items per collection page (default 100)
  --import-duration-ms <n>   time from import to terminal status (default 1500)
  --token-lifetime <s>       access token lifetime in seconds (default 3600)
  --rate-limit <rps>         answer 429 above this many Graph requests per second
  --dialect <name>           metadata (default), docs or seed: which read functions Graph serves
                             (also CLOUDPC_EMULATOR_DIALECT; see docs/GRAPH-FIDELITY.md)
  --unknown-id <answer>      empty (default) or notFound: the plural's answer for an unknown id
                             (also CLOUDPC_EMULATOR_UNKNOWN_ID)
  --cert-dir <dir>           certificate cache (default <repo>/.emulator/certs)
  --state-file <path>        write the env as JSON there once listening (removed on exit)
  --quiet                    do not log requests to stderr
  --print-ca                 create the certificates if needed, print the CA path and exit
  -h, --help                 this help
`;

interface CliArgs {
    options: EmulatorOptions;
    stateFile: string | undefined;
    quiet: boolean;
    printCa: boolean;
}

function fail(message: string): never {
    process.stderr.write(`emulator: ${message}\n\n${USAGE}`);
    process.exit(2);
}

function parseArgs(argv: string[]): CliArgs {
    const args: CliArgs = { options: {}, stateFile: undefined, quiet: false, printCa: false };
    const int = (flag: string, value: string | undefined, min: number): number => {
        if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) fail(`${flag} needs an integer >= ${min}`);
        return Number(value);
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const value = (): string | undefined => inline ?? argv[++i];
        switch (flag) {
            case "--port":
                args.options.port = int(flag, value(), 0);
                break;
            case "--host":
                args.options.host = value() ?? fail("--host needs a value");
                break;
            case "--page-size":
                args.options.pageSize = int(flag, value(), 1);
                break;
            case "--import-duration-ms":
                args.options.importDurationMs = int(flag, value(), 0);
                break;
            case "--token-lifetime":
                args.options.tokenLifetimeSeconds = int(flag, value(), 1);
                break;
            case "--rate-limit":
                args.options.rateLimit = { requestsPerSecond: int(flag, value(), 1) };
                break;
            case "--dialect":
                args.options.dialect = (value() ?? fail("--dialect needs a value")) as EmulatorOptions["dialect"];
                break;
            case "--unknown-id":
                args.options.unknownIdAnswer = (value() ?? fail("--unknown-id needs a value")) as EmulatorOptions["unknownIdAnswer"];
                break;
            case "--cert-dir":
                args.options.certDir = value() ?? fail("--cert-dir needs a value");
                break;
            case "--state-file":
                args.stateFile = path.resolve(value() ?? fail("--state-file needs a value"));
                break;
            case "--quiet":
                args.quiet = true;
                break;
            case "--print-ca":
                args.printCa = true;
                break;
            case "-h":
            case "--help":
                process.stdout.write(USAGE);
                process.exit(0);
            default:
                fail(`unknown argument '${arg}'`);
        }
    }
    return args;
}

const shellQuote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    if (args.printCa) {
        process.stdout.write(`${ensureCertificates(args.options.certDir).caCertPath}\n`);
        return;
    }
    if (!args.quiet) args.options.log = (line) => process.stderr.write(`${line}\n`);
    const emulator = await startEmulator(args.options);
    const env = emulator.env();
    const out = [
        `Cloud PC Graph emulator listening on ${emulator.graphEndpoint}`,
        `  Graph:     ${emulator.graphEndpoint}/beta`,
        `  Authority: ${emulator.authorityHost}/${emulator.tenantId} (use disableInstanceDiscovery: true)`,
        `  Controls:  ${emulator.graphEndpoint}/_emulator`,
        "",
        "# Paste these lines into the shell that runs your stack (NODE_EXTRA_CA_CERTS must be set before node starts):",
        ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
        "",
    ];
    process.stdout.write(`${out.join("\n")}\n`);

    if (args.stateFile) {
        // Write-then-rename so a script polling for the file never reads half of it.
        const tmp = `${args.stateFile}.${process.pid}.tmp`;
        fs.mkdirSync(path.dirname(args.stateFile), { recursive: true });
        fs.writeFileSync(tmp, `${JSON.stringify({ ...env, pid: process.pid, graphEndpoint: emulator.graphEndpoint, authorityHost: emulator.authorityHost }, null, 2)}\n`, { mode: 0o600 });
        fs.renameSync(tmp, args.stateFile);
    }

    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`emulator: ${signal}, shutting down\n`);
        if (args.stateFile) fs.rmSync(args.stateFile, { force: true });
        emulator.close().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
    process.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
