// Checks the `client_assertion` of a client-credentials request, the way Entra does for the two cases we emulate:
// certificate credentials (signature checked against the registered certificate) and workload-identity
// federation (issuer and expiry checked; the signature is NOT verified because the emulator has no issuer keys).
import { X509Certificate, constants, createHash, verify } from "node:crypto";
import { EntraError } from "./errors";
import type { EmulatorClient } from "./options";
import { decodeJwt } from "./tokens";

export interface AssertionContext {
    clientId: string;
    /** Audiences Entra accepts for certificate assertions: the token endpoint and the issuer. */
    audiences: string[];
    now?: number;
}

/** Clock skew Entra tolerates on nbf/exp of assertions. */
const SKEW_SECONDS = 300;

function invalid(aadsts: number, description: string): EntraError {
    return new EntraError(401, "invalid_client", aadsts, description);
}

/** Returns how the client authenticated ("2" = certificate/assertion, Entra's appidacr), or throws an EntraError. */
export function verifyClientAssertion(assertion: string, client: EmulatorClient, ctx: AssertionContext): "2" {
    const jwt = decodeJwt(assertion);
    if (!jwt) throw invalid(50027, "JWT token is invalid or malformed.");
    const { header, payload } = jwt;
    const now = (ctx.now ?? Date.now()) / 1000;
    const exp = payload["exp"];
    const nbf = payload["nbf"];
    if (typeof exp !== "number") throw invalid(50027, "JWT token is invalid or malformed: the 'exp' claim is missing.");
    if (exp + SKEW_SECONDS <= now || (typeof nbf === "number" && nbf - SKEW_SECONDS > now)) {
        throw invalid(700024, "Client assertion is not within its valid time range.");
    }
    const iss = payload["iss"];

    // Certificate credential: the app itself is the issuer and subject.
    if (client.certificatePem !== undefined && iss === ctx.clientId) {
        if (payload["sub"] !== ctx.clientId)
            throw invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
        const aud = payload["aud"];
        const auds = Array.isArray(aud) ? aud : [aud];
        const normalise = (u: unknown): string =>
            typeof u === "string" ? u.split("?")[0]!.replace(/\/+$/, "").toLowerCase() : "";
        if (!auds.some((a) => ctx.audiences.map(normalise).includes(normalise(a)))) {
            throw invalid(
                50013,
                `Assertion audience claim does not match the required value. Expected one of: ${ctx.audiences.join(", ")}.`,
            );
        }
        checkSignature(header, jwt.signingInput, jwt.signature, client.certificatePem);
        return "2";
    }
    if (client.federatedIssuer !== undefined) {
        if (iss !== client.federatedIssuer) {
            throw invalid(
                700211,
                `No matching federated identity record found for presented assertion issuer '${String(iss)}'.`,
            );
        }
        return "2";
    }
    if (client.certificatePem !== undefined)
        throw invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    throw invalid(
        7000215,
        `Invalid client secret provided. The application '${ctx.clientId}' has no certificate or federated credential registered for client assertions.`,
    );
}

function checkSignature(
    header: Record<string, unknown>,
    signingInput: string,
    signature: Buffer,
    certificatePem: string,
): void {
    const cert = new X509Certificate(certificatePem);
    // Entra picks the key by thumbprint; a mismatch means the assertion was signed with another certificate.
    const sha256 = createHash("sha256").update(cert.raw).digest("base64url");
    const sha1 = createHash("sha1").update(cert.raw).digest("base64url");
    if (
        (header["x5t#S256"] !== undefined && header["x5t#S256"] !== sha256) ||
        (header["x5t"] !== undefined && header["x5t"] !== sha1)
    ) {
        throw invalid(700027, "Client assertion contains an invalid signature. [Reason - The key was not found.]");
    }
    const alg = header["alg"];
    let ok: boolean;
    try {
        if (alg === "RS256") ok = verify("sha256", Buffer.from(signingInput), cert.publicKey, signature);
        else if (alg === "PS256") {
            ok = verify(
                "sha256",
                Buffer.from(signingInput),
                {
                    key: cert.publicKey,
                    padding: constants.RSA_PKCS1_PSS_PADDING,
                    saltLength: constants.RSA_PSS_SALTLEN_AUTO,
                },
                signature,
            );
        } else
            throw invalid(
                700027,
                `Client assertion contains an invalid signature. [Reason - The algorithm '${String(alg)}' is not supported; use RS256 or PS256.]`,
            );
    } catch (err) {
        if (err instanceof EntraError) throw err;
        ok = false;
    }
    if (!ok) throw invalid(700027, "Client assertion failed signature validation.");
}
