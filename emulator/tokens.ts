// Access tokens: JWT-shaped like Entra's (so clients that peek at claims work), but HMAC-signed with a key that
// lives only in this process. Only the emulator itself validates them.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export function base64url(data: Buffer | string): string {
    return Buffer.from(data).toString("base64url");
}

export interface DecodedJwt {
    header: Record<string, unknown>;
    payload: Record<string, unknown>;
    /** `header.payload` exactly as received: the bytes the signature covers. */
    signingInput: string;
    signature: Buffer;
}

/** Splits and parses a compact JWS; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
    const parts = token.split(".");
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
    const [h, p, s] = parts as [string, string, string];
    try {
        const header: unknown = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
        const payload: unknown = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
        if (!isRecord(header) || !isRecord(payload)) return undefined;
        return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
    } catch {
        return undefined;
    }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The claims the emulator puts in (and reads back from) its access tokens. */
export interface AccessTokenClaims {
    aud: string;
    iss: string;
    iat: number;
    nbf: number;
    exp: number;
    tid: string;
    appid: string;
    /** "1" = client secret, "2" = certificate or other assertion (Entra's meaning). */
    appidacr: "1" | "2";
    idtyp: "app";
    oid: string;
    sub: string;
    roles: string[];
    uti: string;
    ver: "1.0";
    /** Revocation generation: tokens from an older generation were revoked by revokeTokens(). */
    emu_gen: number;
}

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; message: string };

/** How many issued tokens issuedTokens() remembers (the most recent). */
const ISSUED_KEPT = 1000;

export class TokenService {
    private readonly key = randomBytes(32);
    private generation = 0;
    /** The most recent access tokens issued, so leak tests can look for them in a client's output. */
    readonly issued: string[] = [];

    private readonly tenantIds: readonly string[];

    /** `tenantIds`: every tenant of the emulator (the first is the default of issue()); one key signs for all. */
    constructor(
        private readonly audience: string,
        tenantIds: string | readonly string[],
    ) {
        this.tenantIds = typeof tenantIds === "string" ? [tenantIds] : [...tenantIds];
    }

    issue(
        clientId: string,
        roles: string[],
        lifetimeSeconds: number,
        appidacr: "1" | "2",
        tenantId: string = this.tenantIds[0]!,
    ): { token: string; expiresIn: number } {
        const now = Math.floor(Date.now() / 1000);
        const claims: AccessTokenClaims = {
            aud: this.audience,
            iss: `https://sts.windows.net/${tenantId}/`,
            iat: now,
            nbf: now,
            exp: now + lifetimeSeconds,
            tid: tenantId,
            appid: clientId,
            appidacr,
            idtyp: "app",
            oid: clientId,
            sub: clientId,
            roles: [...roles],
            uti: base64url(randomBytes(16)),
            ver: "1.0",
            emu_gen: this.generation,
        };
        const header = { typ: "JWT", alg: "HS256", kid: "cloudpc-graph-emulator" };
        const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
        const token = `${signingInput}.${this.sign(signingInput)}`;
        this.issued.push(token);
        if (this.issued.length > ISSUED_KEPT) this.issued.shift();
        return { token, expiresIn: lifetimeSeconds };
    }

    /** Every token issued so far stops working; new ones are fine. */
    revokeAll(): void {
        this.generation += 1;
    }

    verify(token: string | undefined, now = Date.now()): TokenCheck {
        if (!token) return { ok: false, message: "Access token is empty." };
        const jwt = decodeJwt(token);
        if (!jwt) return { ok: false, message: "IDX14100: JWT is not well formed. Access token validation failure." };
        const expected = Buffer.from(this.sign(jwt.signingInput), "base64url");
        if (
            jwt.header["alg"] !== "HS256" ||
            expected.length !== jwt.signature.length ||
            !timingSafeEqual(expected, jwt.signature)
        ) {
            return { ok: false, message: "Access token validation failure. Invalid signature." };
        }
        const c = jwt.payload as unknown as AccessTokenClaims;
        if (c.aud !== this.audience)
            return { ok: false, message: "Access token validation failure. Invalid audience." };
        if (!this.tenantIds.includes(c.tid))
            return { ok: false, message: "Access token validation failure. Invalid tenant." };
        const seconds = now / 1000;
        if (typeof c.exp !== "number" || c.exp <= seconds)
            return { ok: false, message: "Lifetime validation failed, the token is expired." };
        if (typeof c.nbf !== "number" || c.nbf > seconds + 1)
            return { ok: false, message: "Lifetime validation failed, the token is not yet valid." };
        if (c.emu_gen !== this.generation)
            return { ok: false, message: "The access token has been revoked. Acquire a new token." };
        if (!Array.isArray(c.roles)) return { ok: false, message: "Access token validation failure." };
        return { ok: true, claims: c };
    }

    private sign(signingInput: string): string {
        return createHmac("sha256", this.key).update(signingInput).digest("base64url");
    }
}
