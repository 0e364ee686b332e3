// Test PKI for the emulator: a private CA and a localhost server certificate, made with the openssl CLI
// (Node cannot issue X.509 certificates itself). Synchronous on purpose, so scripts can call it before
// starting a Node process that needs NODE_EXTRA_CA_CERTS (Node reads that variable only at start-up).
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface CertificatePaths {
    /** PEM of the CA clients must trust (NODE_EXTRA_CA_CERTS). */
    caCertPath: string;
    /** Server leaf certificate (PEM), SAN: localhost, 127.0.0.1, ::1. */
    certPath: string;
    /** Server leaf private key (PEM). */
    keyPath: string;
}

export interface ClientCertificate {
    /** Public certificate (PEM): register it as `certificatePem` on an emulator client. */
    certificatePem: string;
    certPath: string;
    keyPath: string;
    /** Certificate + private key in one PEM file: what ClientCertificateCredential's `certificatePath` takes. */
    pemPath: string;
}

const CA_FILE = "ca.pem";
const CERT_FILE = "cert.pem";
const KEY_FILE = "key.pem";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Regenerate a week before expiry so a long test run never straddles it. */
const RENEW_BEFORE_MS = 7 * DAY_MS;

/** Repository root: the nearest ancestor with a package.json (works from emulator/ and from dist/emulator/). */
export function repoRoot(start = __dirname): string {
    let dir = start;
    for (;;) {
        if (fs.existsSync(path.join(dir, "package.json"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) return path.resolve(__dirname, "..");
        dir = parent;
    }
}

/**
 * `<repo>/.emulator/certs` in a checkout; for the installed package (under node_modules, which may be read-only
 * and is replaced by every install) the user's cache directory instead.
 */
export function defaultCertDir(): string {
    const root = repoRoot();
    if (!root.split(path.sep).includes("node_modules")) return path.join(root, ".emulator", "certs");
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(cache, "cloudpc-emulator", "certs");
}

function pathsIn(dir: string): CertificatePaths {
    return {
        caCertPath: path.join(dir, CA_FILE),
        certPath: path.join(dir, CERT_FILE),
        keyPath: path.join(dir, KEY_FILE),
    };
}

/** True when the three files exist, chain up, match, cover every loopback name and stay valid for a while. */
export function certificatesAreValid(paths: CertificatePaths, now = Date.now()): boolean {
    try {
        const ca = new X509Certificate(fs.readFileSync(paths.caCertPath));
        const leaf = new X509Certificate(fs.readFileSync(paths.certPath));
        const key = createPrivateKey(fs.readFileSync(paths.keyPath));
        const live = (c: X509Certificate) =>
            Date.parse(c.validFrom) <= now && Date.parse(c.validTo) - RENEW_BEFORE_MS > now;
        return (
            ca.ca &&
            live(ca) &&
            live(leaf) &&
            leaf.checkIssued(ca) &&
            leaf.verify(ca.publicKey) &&
            leaf.checkPrivateKey(key) &&
            leaf.checkHost("localhost") !== undefined &&
            leaf.checkIP("127.0.0.1") !== undefined &&
            leaf.checkIP("::1") !== undefined
        );
    } catch {
        return false;
    }
}

function openssl(args: string[], cwd: string): void {
    try {
        execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const e = err as { stderr?: Buffer; message: string; code?: string };
        if (e.code === "ENOENT")
            throw new Error(
                "the emulator needs the `openssl` command to create its test certificates; install OpenSSL",
            );
        throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
    }
}

function serial(): string {
    const bytes = randomBytes(16);
    bytes[0] = (bytes[0] ?? 0) & 0x7f; // serials must be positive
    return `0x${bytes.toString("hex")}`;
}

function generateInto(dir: string): void {
    fs.writeFileSync(
        path.join(dir, "ca.cnf"),
        [
            "[req]",
            "distinguished_name = dn",
            "prompt = no",
            "[dn]",
            "CN = Cloud PC Graph Emulator Test CA",
            "O = cloudpc-pulumi-snapshots emulator",
            "[v3_ca]",
            "basicConstraints = critical,CA:TRUE,pathlen:0",
            "keyUsage = critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier = hash",
            "",
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(dir, "leaf.cnf"),
        [
            "[req]",
            "distinguished_name = dn",
            "prompt = no",
            "[dn]",
            "CN = localhost",
            "[v3_leaf]",
            "basicConstraints = critical,CA:FALSE",
            "keyUsage = critical,digitalSignature",
            "extendedKeyUsage = serverAuth",
            "subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1",
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid,issuer",
            "",
        ].join("\n"),
    );
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        [
            "req",
            "-x509",
            "-new",
            ...ec,
            "-keyout",
            "ca.key",
            "-out",
            CA_FILE,
            "-days",
            "3650",
            "-sha256",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
        ],
        dir,
    );
    openssl(["req", "-new", ...ec, "-keyout", KEY_FILE, "-out", "leaf.csr", "-config", "leaf.cnf"], dir);
    openssl(
        [
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            CA_FILE,
            "-CAkey",
            "ca.key",
            "-set_serial",
            serial(),
            "-days",
            "825",
            "-sha256",
            "-extfile",
            "leaf.cnf",
            "-extensions",
            "v3_leaf",
            "-out",
            CERT_FILE,
        ],
        dir,
    );
    // The CA key is only needed to sign this one leaf. Deleting it means a trusted test CA can never sign anything else.
    for (const f of ["ca.key", "leaf.csr", "ca.cnf", "leaf.cnf"]) fs.rmSync(path.join(dir, f), { force: true });
    fs.chmodSync(path.join(dir, KEY_FILE), 0o600);
}

/**
 * Returns the CA, server certificate and key in `certDir` (default `<repo>/.emulator/certs`), creating them when
 * missing, mismatched or close to expiry. Safe against concurrent callers: files are made in a private temporary
 * directory and moved into place with one rename; a loser of the race adopts the winner's files.
 */
export function ensureCertificates(certDir: string = defaultCertDir()): CertificatePaths {
    const dir = path.resolve(certDir);
    const paths = pathsIn(dir);
    if (certificatesAreValid(paths)) return paths;

    const parent = path.dirname(dir);
    fs.mkdirSync(parent, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}-tmp-`));
    try {
        generateInto(tmp);
        if (fs.existsSync(dir)) {
            if (certificatesAreValid(paths)) return paths; // someone else renewed them meanwhile
            fs.renameSync(dir, `${dir}.stale-${process.pid}-${randomBytes(4).toString("hex")}`);
        }
        try {
            fs.renameSync(tmp, dir);
        } catch (err) {
            if (certificatesAreValid(paths)) return paths;
            throw err;
        }
        return paths;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
        for (const entry of fs.readdirSync(parent)) {
            if (entry.startsWith(`${path.basename(dir)}.stale-`))
                fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
        }
    }
}

/**
 * A self-signed RSA client certificate for the client-assertion grant (ClientCertificateCredential),
 * kept in `<certDir>/client` and reused while valid.
 */
export function ensureClientCertificate(certDir: string = defaultCertDir()): ClientCertificate {
    const dir = path.join(path.resolve(certDir), "client");
    const certPath = path.join(dir, "client-cert.pem");
    const keyPath = path.join(dir, "client-key.pem");
    const pemPath = path.join(dir, "client.pem");
    const valid = (): boolean => {
        try {
            const cert = new X509Certificate(fs.readFileSync(certPath));
            return (
                cert.checkPrivateKey(createPrivateKey(fs.readFileSync(keyPath))) &&
                Date.parse(cert.validTo) - RENEW_BEFORE_MS > Date.now() &&
                fs.existsSync(pemPath)
            );
        } catch {
            return false;
        }
    };
    if (!valid()) {
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        const tmp = fs.mkdtempSync(path.join(path.dirname(dir), ".client-tmp-"));
        try {
            openssl(
                [
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    "client-key.pem",
                    "-out",
                    "client-cert.pem",
                    "-days",
                    "365",
                    "-sha256",
                    "-subj",
                    "/CN=cloudpc-emulator-client",
                ],
                tmp,
            );
            fs.writeFileSync(
                path.join(tmp, "client.pem"),
                fs.readFileSync(path.join(tmp, "client-cert.pem"), "utf8") +
                    fs.readFileSync(path.join(tmp, "client-key.pem"), "utf8"),
                { mode: 0o600 },
            );
            fs.rmSync(dir, { recursive: true, force: true });
            try {
                fs.renameSync(tmp, dir);
            } catch (err) {
                if (!valid()) throw err;
            }
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    }
    return { certificatePem: fs.readFileSync(certPath, "utf8"), certPath, keyPath, pemPath };
}
