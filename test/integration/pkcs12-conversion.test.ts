// PKCS#12 client certificates, converted to PEM in memory: files made here by the machine's OpenSSL 3 with its
// defaults (PBES2, AES-256-CBC, PBKDF2-SHA256, SHA-256 MAC) and with `-legacy` (RC2-40, 3DES, SHA-1 MAC), a chain,
// a certificate-only export, wrong and missing passwords. No network; in this tier because it runs `openssl` (the
// unit tier starts no child process). client-certificate.test.ts signs in with such files against the emulator.
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clientCertificateConfig, pkcs12ToPem } from "../../provider/config/client-certificate";
import { createCredential } from "../../provider/config/credential";
import { resolveSettings } from "../../provider/config/settings";
import { Redactor } from "../../provider/util/redact";
import { settingsErrorOf } from "../harness/settings-error";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const PASSWORD = "pfx-Passw0rd-canary";

function openssl(cwd: string, args: string[]): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

describe("PKCS#12 client certificates", () => {
    let dir: string;
    let leaf: X509Certificate;
    const file = (name: string): string => path.join(dir, name);

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pkcs12-"));
        const req = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"];
        openssl(dir, [...req, "-keyout", "ca-key.pem", "-out", "ca.pem", "-subj", "/CN=test CA"]);
        openssl(dir, [...req, "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=app"]);
        const exportArgs = ["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem"];
        openssl(dir, [...exportArgs, "-out", "modern.pfx", "-passout", `pass:${PASSWORD}`]);
        openssl(dir, [...exportArgs, "-legacy", "-out", "legacy.p12", "-passout", `pass:${PASSWORD}`]);
        // A CA certificate beside the app's: the key's certificate must come out first (its thumbprint is sent).
        openssl(dir, [...exportArgs, "-certfile", "ca.pem", "-out", "chain.pfx", "-passout", `pass:${PASSWORD}`]);
        openssl(dir, ["pkcs12", "-export", "-nokeys", "-in", "cert.pem", "-out", "nokey.pfx", "-passout", "pass:x"]);
        // No password at all (an empty one), and no encryption inside.
        openssl(dir, [...exportArgs, "-out", "empty.pfx", "-passout", "pass:"]);
        openssl(dir, [...exportArgs, "-keypbe", "NONE", "-certpbe", "NONE", "-out", "plain.pfx", "-passout", "pass:"]);
        // A PKCS#12 file under a .pem name, and a PEM file under a .pfx name: content decides.
        fs.copyFileSync(file("modern.pfx"), file("disguised.pem"));
        fs.writeFileSync(
            file("combined.pfx"),
            fs.readFileSync(file("key.pem"), "utf8") + fs.readFileSync(file("cert.pem")),
        );
        fs.writeFileSync(file("junk.bin"), "not a certificate at all");
        leaf = new X509Certificate(fs.readFileSync(file("cert.pem")));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** What OpenSSL says of a file's algorithms (it prints them on stderr). */
    function info(name: string, extra: string[] = []): string {
        const r = spawnSync(
            "openssl",
            ["pkcs12", "-in", file(name), "-info", "-noout", "-passin", `pass:${PASSWORD}`, ...extra],
            {
                encoding: "utf8",
            },
        );
        return `${r.stdout}${r.stderr}`;
    }

    /** The PEM holds a key that matches its first certificate, which is the app's. */
    function assertUsable(pem: string): void {
        const key = createPrivateKey(pem);
        const first = new X509Certificate(pem);
        assert.equal(first.fingerprint256, leaf.fingerprint256);
        assert.ok(first.checkPrivateKey(key));
        assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
    }

    it("reads OpenSSL 3's default format (PBES2/AES-256-CBC/PBKDF2-SHA256, SHA-256 MAC)", () => {
        assert.match(info("modern.pfx"), /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
        assert.match(info("modern.pfx"), /MAC: sha256/);
        assertUsable(
            pkcs12ToPem(fs.readFileSync(file("modern.pfx")), {
                clientCertificatePath: file("modern.pfx"),
                clientCertificatePassword: PASSWORD,
            }),
        );
    });

    it("reads OpenSSL's -legacy format (RC2-40 and 3DES, SHA-1 MAC)", () => {
        assert.match(info("legacy.p12", ["-legacy"]), /pbeWithSHA1And40BitRC2-CBC/);
        assert.match(info("legacy.p12", ["-legacy"]), /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
        assertUsable(
            pkcs12ToPem(fs.readFileSync(file("legacy.p12")), {
                clientCertificatePath: file("legacy.p12"),
                clientCertificatePassword: PASSWORD,
            }),
        );
    });

    it("reads files exported with an empty password, encrypted or not, without clientCertificatePassword", () => {
        for (const name of ["empty.pfx", "plain.pfx"]) {
            assertUsable(pkcs12ToPem(fs.readFileSync(file(name)), { clientCertificatePath: file(name) }));
        }
    });

    it("puts the key's certificate first and keeps the rest of the chain", () => {
        const pem = pkcs12ToPem(fs.readFileSync(file("chain.pfx")), {
            clientCertificatePath: file("chain.pfx"),
            clientCertificatePassword: PASSWORD,
        });
        assertUsable(pem);
        assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
    });

    it("tells PEM from PKCS#12 by content, not by extension", () => {
        const disguised = clientCertificateConfig({
            clientCertificatePath: file("disguised.pem"),
            clientCertificatePassword: PASSWORD,
        });
        assert.ok("certificate" in disguised);
        assertUsable(disguised.certificate);
        assert.deepEqual(clientCertificateConfig({ clientCertificatePath: file("combined.pfx") }), {
            certificatePath: file("combined.pfx"),
            certificatePassword: undefined,
        });
        const junk = settingsErrorOf(() => clientCertificateConfig({ clientCertificatePath: file("junk.bin") }));
        assert.match(junk.message, /cloudpc:clientCertificatePath .* is neither PEM nor PKCS#12 \(not DER\)/);
    });

    it("a wrong password names clientCertificatePassword and the fix, never the password", () => {
        const s = resolveSettings(undefined, {
            ARM_TENANT_ID: TENANT,
            ARM_CLIENT_ID: CLIENT,
            ARM_CLIENT_CERTIFICATE_PATH: file("modern.pfx"),
            ARM_CLIENT_CERTIFICATE_PASSWORD: `${PASSWORD}-wrong`,
        });
        for (const build of [
            () => createCredential(s),
            () => createCredential({ ...s, clientCertificatePath: file("legacy.p12") }),
        ]) {
            const err = settingsErrorOf(build);
            assert.deepEqual(err.keys, ["cloudpc:clientCertificatePassword"]);
            assert.match(err.message, /wrong password/);
            assert.match(err.message, /Fix: set cloudpc:clientCertificatePassword/);
            assert.ok(!err.message.includes(PASSWORD), "no password in the message");
        }
        assert.match(settingsErrorOf(() => createCredential(s)).message, /from env ARM_CLIENT_CERTIFICATE_PASSWORD/);
    });

    it("a protected file with no password asks for clientCertificatePassword", () => {
        const err = settingsErrorOf(() => clientCertificateConfig({ clientCertificatePath: file("modern.pfx") }));
        assert.match(
            err.message,
            /Missing provider setting: the PKCS#12 file .* is password-protected, but cloudpc:clientCertificatePassword/,
        );
    });

    it("a file without a private key says so", () => {
        const err = settingsErrorOf(() =>
            clientCertificateConfig({ clientCertificatePath: file("nokey.pfx"), clientCertificatePassword: "x" }),
        );
        assert.match(err.message, /is a PKCS#12 file without a private key/);
        assert.deepEqual(err.keys, ["cloudpc:clientCertificatePath"]);
    });

    it("createCredential converts once and registers the key PEM with the redactor", () => {
        const redactor = new Redactor();
        const s = resolveSettings(undefined, {
            ARM_TENANT_ID: TENANT,
            ARM_CLIENT_ID: CLIENT,
            ARM_CLIENT_CERTIFICATE_PATH: file("legacy.p12"),
            ARM_CLIENT_CERTIFICATE_PASSWORD: PASSWORD,
        });
        assert.equal(createCredential(s, redactor).kind, "clientCertificate");
        const config = clientCertificateConfig(s as { clientCertificatePath: string });
        assert.ok("certificate" in config);
        const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(config.certificate)![0];
        const keyLine = keyPem.split("\n")[1]!;
        assert.ok(
            !redactor.redact(`options: ${JSON.stringify({ certificate: config.certificate })}`).includes(keyLine),
        );
        assert.ok(!redactor.redact(`dump: ${keyPem}`).includes(keyLine));
    });
});
