// What ClientCertificateCredential gets for clientCertificatePath. @azure/identity for JavaScript reads PEM only,
// while azuread and Terraform users hold PKCS#12 (.pfx/.p12) files under ARM_CLIENT_CERTIFICATE_PATH: those are
// converted to PEM in memory (node-forge reads both OpenSSL 3's default PBES2/AES-256/SHA-256 files and `-legacy`
// RC2/3DES ones), so the private key never touches the disk. The format is told by content, not by extension.
import { X509Certificate, createPrivateKey } from "node:crypto";
import * as fs from "node:fs";
import type forgeTypes from "node-forge";
import type { Redactor } from "../util/redact";
import { SettingsError } from "./settings-error";
import { specFor } from "./settings-table";

export type ClientCertificateConfig =
    { certificatePath: string; certificatePassword?: string } | { certificate: string };

interface CertificateSettings {
    clientCertificatePath: string;
    clientCertificatePassword?: string;
}

/** Where each setting came from, for error messages ("stack config cloudpc:x", "env X"). */
type SourceOf = (key: "clientCertificatePath" | "clientCertificatePassword") => string | undefined;

const PEM_MARKER = "-----BEGIN ";

/** A PEM file is handed over by path (as before); a DER PKCS#12 file is converted to one PEM string. */
export function clientCertificateConfig(
    s: CertificateSettings,
    sourceOf: SourceOf = () => undefined,
    redactor?: Redactor,
): ClientCertificateConfig {
    const path = s.clientCertificatePath;
    let content: Buffer;
    try {
        content = fs.readFileSync(path);
    } catch (err) {
        throw SettingsError.invalid(
            specFor("clientCertificatePath"),
            path,
            sourceOf("clientCertificatePath") ?? "settings",
            `does not name a readable file (${(err as NodeJS.ErrnoException).code ?? "error"})`,
            "give the path of a PEM file holding the certificate and its private key, or of a PKCS#12 (.pfx/.p12) file.",
        );
    }
    if (content.includes(PEM_MARKER)) {
        return { certificatePath: path, certificatePassword: s.clientCertificatePassword };
    }
    const pem = pkcs12ToPem(content, s, sourceOf);
    // The key now lives in a string: keep it, and each of its lines (a JSON dump escapes the newlines), out of any
    // log or error that might print the options.
    const keyPem = /-----BEGIN PRIVATE KEY-----\n([\s\S]*?)\n-----END PRIVATE KEY-----/.exec(pem);
    redactor?.register(keyPem?.[0]);
    for (const line of keyPem?.[1]?.split("\n") ?? []) redactor?.register(line);
    return { certificate: pem };
}

/** The key (PKCS#8) then the certificate chain, its leaf (the key's certificate) first, as one PEM string. */
export function pkcs12ToPem(der: Buffer, s: CertificateSettings, sourceOf: SourceOf = () => undefined): string {
    const pathSource = sourceOf("clientCertificatePath") ?? "settings";
    const notPkcs12 = (why: string): SettingsError =>
        SettingsError.invalid(
            specFor("clientCertificatePath"),
            s.clientCertificatePath,
            pathSource,
            `is neither PEM nor PKCS#12 (${why})`,
            "give a PEM file with the certificate and its private key, or a .pfx/.p12 file (e.g. `openssl pkcs12 -export`).",
        );
    // DER: a SEQUENCE. Anything else (text without a PEM header, a base64 dump) is not a file we can read.
    if (der.length < 2 || der[0] !== 0x30) throw notPkcs12("not DER");
    // Loaded here, not at the top: about 10 MB in every provider process, and only PKCS#12 users need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const forge = require("node-forge") as typeof forgeTypes;
    let asn1: forgeTypes.asn1.Asn1;
    try {
        asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary")));
    } catch {
        throw notPkcs12("not valid DER");
    }
    let p12: forgeTypes.pkcs12.Pkcs12Pfx;
    try {
        p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, s.clientCertificatePassword ?? "");
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (/password|MAC could not be verified|decrypt/i.test(message)) throw wrongPassword(s, sourceOf);
        throw notPkcs12(message);
    }

    const keyBags = [
        ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
        ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
    ];
    const keyBag = keyBags[0];
    if (!keyBag) {
        throw SettingsError.invalid(
            specFor("clientCertificatePath"),
            s.clientCertificatePath,
            pathSource,
            "is a PKCS#12 file without a private key (a certificate-only export)",
            "export the certificate with its private key (Windows: 'Yes, export the private key'; OpenSSL: `openssl pkcs12 -export -inkey key.pem -in cert.pem`).",
        );
    }
    // RSA keys come decoded; other key types (EC) as their PrivateKeyInfo.
    const keyInfo = keyBag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)) : keyBag.asn1;
    const keyPem = forge.pki.privateKeyInfoToPem(keyInfo);

    const certPems = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).map((bag) =>
        bag.cert
            ? forge.pki.certificateToPem(bag.cert)
            : forge.pem.encode({ type: "CERTIFICATE", body: forge.asn1.toDer(bag.asn1).getBytes() }),
    );
    const key = createPrivateKey(keyPem);
    const leaf = certPems.findIndex((pem) => new X509Certificate(pem).checkPrivateKey(key));
    if (leaf < 0) {
        throw SettingsError.invalid(
            specFor("clientCertificatePath"),
            s.clientCertificatePath,
            pathSource,
            "is a PKCS#12 file with a private key but not its certificate",
            "export the certificate together with its private key.",
        );
    }
    // The leaf first: @azure/identity takes the thumbprint of the first certificate.
    const chain = [certPems[leaf]!, ...certPems.filter((_, i) => i !== leaf)];
    return [keyPem, ...chain].map((p) => p.replace(/\r\n/g, "\n").trim()).join("\n") + "\n";
}

function wrongPassword(s: CertificateSettings, sourceOf: SourceOf): SettingsError {
    const spec = specFor("clientCertificatePassword");
    const file = `the PKCS#12 file ${s.clientCertificatePath}`;
    if (s.clientCertificatePassword === undefined) {
        return SettingsError.missing([spec], `${file} is password-protected`);
    }
    return SettingsError.invalid(
        spec,
        s.clientCertificatePassword,
        sourceOf("clientCertificatePassword") ?? "settings",
        `does not open ${file} (wrong password)`,
        `set ${spec.configKey} (\`pulumi config set --secret\`) or ${spec.env.join("/")} to the password the file was exported with.`,
    );
}
