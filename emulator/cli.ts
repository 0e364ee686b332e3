// Standalone emulator: `bash scripts/emulator.sh [flags]`. Prints its URL and the export lines that point a stack
// at it, then serves until SIGINT/SIGTERM.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
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
  --tenant <tid>:<client>:<secret>
                             another tenant (repeatable), with one app registration: its own imports and
                             users behind the same Graph endpoint, token endpoint /<tid>/oauth2/v2.0/token
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

function parseCliArgs(argv: string[]): CliArgs {
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
        parsed = parseCommandLine(argv);
    } catch (err) {
        fail((err as Error).message);
    }
    const v = parsed.values;
    if (v.help) {
        process.stdout.write(USAGE);
        process.exit(0);
    }
    const int = (flag: string, value: string | undefined, min: number): number | undefined => {
        if (value === undefined) return undefined;
        if (!/^\d+$/.test(value) || Number(value) < min) fail(`--${flag} needs an integer >= ${min}`);
        return Number(value);
    };
    const options: EmulatorOptions = {};
    // Only the flags given: an undefined key would override the emulator's defaults.
    const set = <K extends keyof EmulatorOptions>(key: K, value: EmulatorOptions[K] | undefined): void => {
        if (value !== undefined) options[key] = value;
    };
    set("port", int("port", v.port, 0));
    set("host", v.host);
    set("pageSize", int("page-size", v["page-size"], 1));
    set("importDurationMs", int("import-duration-ms", v["import-duration-ms"], 0));
    set("tokenLifetimeSeconds", int("token-lifetime", v["token-lifetime"], 1));
    const rps = int("rate-limit", v["rate-limit"], 1);
    if (rps !== undefined) options.rateLimit = { requestsPerSecond: rps };
    set("dialect", v.dialect as EmulatorOptions["dialect"]);
    set("unknownIdAnswer", v["unknown-id"] as EmulatorOptions["unknownIdAnswer"]);
    set("certDir", v["cert-dir"]);
    const tenants = (v.tenant ?? []).map((t) => {
        const [tenantId, clientId, ...secret] = t.split(":");
        if (!tenantId || !clientId || secret.length === 0) fail(`--tenant needs <tenantId>:<clientId>:<clientSecret>`);
        return { tenantId, clientId, clientSecret: secret.join(":") };
    });
    if (tenants.length > 0) {
        options.tenants = tenants.map(({ tenantId, clientId, clientSecret }) => ({
            tenantId,
            clients: [{ clientId, clientSecret }],
        }));
    }
    return {
        options,
        stateFile: v["state-file"] === undefined ? undefined : path.resolve(v["state-file"]),
        quiet: v.quiet === true,
        printCa: v["print-ca"] === true,
    };
}

function parseCommandLine(argv: string[]) {
    const text = { type: "string" } as const;
    const flag = { type: "boolean" } as const;
    return parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
            port: text,
            host: text,
            "page-size": text,
            "import-duration-ms": text,
            "token-lifetime": text,
            "rate-limit": text,
            dialect: text,
            "unknown-id": text,
            "cert-dir": text,
            tenant: { type: "string", multiple: true },
            "state-file": text,
            quiet: flag,
            "print-ca": flag,
            help: { type: "boolean", short: "h" },
        },
    });
}

const shellQuote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

async function main(): Promise<void> {
    const args = parseCliArgs(process.argv.slice(2));
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
        ...emulator
            .tenantIds()
            .slice(1)
            .map(
                (t) =>
                    `  Tenant:    ${emulator.authorityHost}/${t} (another tenant: its own app registration and data)`,
            ),
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
        fs.writeFileSync(
            tmp,
            `${JSON.stringify({ ...env, pid: process.pid, graphEndpoint: emulator.graphEndpoint, authorityHost: emulator.authorityHost }, null, 2)}\n`,
            { mode: 0o600 },
        );
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
