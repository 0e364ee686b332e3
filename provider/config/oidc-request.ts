// Asks a CI runner for a fresh federated ID token, the way GitHub Actions documents it: GET the request URL with
// `audience=<aud>` added, `Authorization: Bearer <request token>`, answer `{"value": "<jwt>"}`. Called at every
// Entra token request (ClientAssertionCredential's callback), so a run outlives the ID tokens' short life.
// The request token is a secret: registered with the redactor, never put in a message.
import type { Redactor } from "../util/redact";

export interface OidcRequest {
    url: string;
    token: string;
    audience: string;
}

/** Where the request went, for messages: origin and path, no query (the query is the runner's business). */
function where(url: URL): string {
    return `${url.origin}${url.pathname}`;
}

export function oidcRequestTokenSource(
    request: OidcRequest,
    redactor?: Redactor,
    fetchFn: typeof fetch = fetch,
): () => Promise<string> {
    redactor?.register(request.token);
    const clean = (text: string): string =>
        (redactor ? redactor.redact(text) : text).split(request.token).join("REDACTED");
    return async () => {
        const url = new URL(request.url);
        url.searchParams.set("audience", request.audience);
        let res: Response;
        try {
            res = await fetchFn(url, {
                headers: { Authorization: `Bearer ${request.token}`, Accept: "application/json" },
            });
        } catch (err) {
            const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
            throw new Error(
                clean(`Cannot reach the OIDC token endpoint ${where(url)} (cloudpc:oidcRequestUrl): ${cause}.`),
            );
        }
        const body = await res.text();
        if (!res.ok) {
            const hint =
                res.status === 401 || res.status === 403
                    ? " Check that the job has `permissions: id-token: write` and that oidcRequestToken belongs to this run."
                    : "";
            throw new Error(
                clean(`The OIDC token endpoint ${where(url)} answered ${res.status} ${res.statusText}.${hint}`),
            );
        }
        let value: unknown;
        try {
            value = (JSON.parse(body) as { value?: unknown }).value;
        } catch {
            value = undefined;
        }
        if (typeof value !== "string" || value === "") {
            throw new Error(
                `The OIDC token endpoint ${where(url)} answered without an ID token (no "value" in its JSON).`,
            );
        }
        redactor?.register(value);
        return value;
    };
}
