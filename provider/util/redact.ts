// Removes secrets from text before it reaches a log line, an error message or Pulumi state.
// Secrets here: SAS signatures, bearer tokens / JWTs, OAuth client secrets and assertions (by their shape, `redact`),
// and the values one provider runtime knows (client secret, OIDC token, certificate password: a `Redactor`).

const REDACTED = "REDACTED";
const MIN_SECRET_LENGTH = 6; // shorter values would redact ordinary words ("true", ids fragments...)

/** `redact`, plus the secret values of one set of settings (each provider runtime has its own). */
export class Redactor {
    private readonly values = new Set<string>();
    private pattern: RegExp | undefined;

    /** Registers a secret so `redact` removes it (and its URL-encoded form) from any text. */
    register(value: string | undefined | null): void {
        if (typeof value !== "string") return;
        const v = value.trim();
        if (v.length < MIN_SECRET_LENGTH) return;
        this.values.add(v);
        const encoded = encodeURIComponent(v);
        if (encoded !== v) this.values.add(encoded);
        // Longest first, so a secret that contains another is removed whole.
        const longestFirst = [...this.values].sort((a, b) => b.length - a.length);
        this.pattern = new RegExp(longestFirst.map(escapeRegExp).join("|"), "g");
    }

    /** How many values are registered (for tests and diagnostics; never the values themselves). */
    get size(): number {
        return this.values.size;
    }

    redact(text: string): string {
        if (typeof text !== "string" || text.length === 0) return text;
        return redact(this.pattern ? text.replace(this.pattern, REDACTED) : text);
    }
}

// `sig` of a SAS URL, plain (`sig=`), URL-encoded once (`sig%3D`) or twice (`sig%253D`), after `?`, `&`, their
// encoded forms, or any non-word character. The value ends at the next separator in whichever encoding.
const SAS_SIG =
    /((?:^|[^A-Za-z0-9_]|%26|%3F|%2526|%253F|\\u0026|\\u003[fF])sig)(=|%3D|%253D|\\u003[dD])((?:(?!%26|%2526|\\u0026)[^&\s"'<>#,;)\]}\\])+)/gi;
// "Bearer <token>" in headers, messages and JSON; not the parameters of a WWW-Authenticate challenge.
const BEARER =
    /\b(Bearer)(\s+)(?!(?:realm|error|error_description|error_uri|authorization_uri|claims|scope|resource|client_id|trusted_issuers)=)[A-Za-z0-9\-._~+/]+=*/gi;
// A JWT: base64url header starting `{"` (eyJ), payload, optional signature.
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// OAuth form fields and their JSON/camelCase spellings.
const FORM_SECRET =
    /\b(client_secret|client_assertion|clientSecret|clientAssertion|certificatePassword|clientCertificatePassword)(=|%3D)([^&\s"'<>]+)/gi;
const JSON_SECRET =
    /("(?:client_secret|client_assertion|clientSecret|clientAssertion|certificatePassword|clientCertificatePassword|access_token|refresh_token|sasUrl)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;

function escapeRegExp(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Returns `text` with every known kind of secret replaced by REDACTED. Safe on any input. */
export function redact(text: string): string {
    if (typeof text !== "string" || text.length === 0) return text;
    let out = text.replace(JSON_SECRET, (_m, pre: string, value: string, post: string) =>
        // sasUrl in a JSON body: keep the URL, drop its signature; other fields go entirely.
        pre.toLowerCase().includes("sasurl") ? `${pre}${redactSig(value)}${post}` : `${pre}${REDACTED}${post}`,
    );
    out = redactSig(out);
    out = out.replace(BEARER, (_m, word: string, space: string) => `${word}${space}${REDACTED}`);
    out = out.replace(JWT, REDACTED);
    out = out.replace(FORM_SECRET, (_m, key: string, eq: string) => `${key}${eq}${REDACTED}`);
    return out;
}

function redactSig(text: string): string {
    return text.replace(SAS_SIG, (_m, key: string, eq: string) => `${key}${eq}${REDACTED}`);
}

/**
 * A URL safe to show: scheme, host and path kept; credentials in the authority dropped; the SAS signature
 * blanked (other SAS fields such as `se` expiry stay, they help debugging). Unparseable input is redacted as text.
 */
export function redactUrl(url: string): string {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return redact(url);
    }
    u.username = "";
    u.password = "";
    const params = [...u.searchParams.keys()];
    for (const key of params) {
        if (key.toLowerCase() === "sig") u.searchParams.set(key, REDACTED);
    }
    return redact(u.toString());
}
