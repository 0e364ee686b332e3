// Entra-style authority at the emulator's origin: authorityHost = graphEndpoint (same origin), so MSAL's authority is
// `{origin}/{tenantId}`, for each tenant of the emulator (its own app registrations). Serves OIDC discovery, JWKS and the v2.0 token endpoint (client-credentials grant only).
// Clients must pass `disableInstanceDiscovery: true`; otherwise MSAL calls login.microsoftonline.com for instance discovery.
import { createHash, timingSafeEqual } from "node:crypto";
import { verifyClientAssertion } from "./client-assertions";
import { EntraError } from "./errors";
import { PLAIN_JSON, type Reply, jsonReply } from "./http";
import { type EmulatorClient, ROLE_READ_WRITE, type RuntimeSettings } from "./options";
import type { TenantDirectory } from "./tenant";
import type { TokenService } from "./tokens";

export type AuthorityEndpoint = "openid-configuration" | "keys" | "token";

export interface AuthorityRoute {
    tenant: string;
    endpoint: AuthorityEndpoint | undefined;
    /** Stats key, e.g. "POST token". */
    key: string;
}

/** Recognises `/{tenant}/(v2.0/)?.well-known/openid-configuration`, `/{tenant}/discovery/(v2.0/)?keys`, `/{tenant}/oauth2/v2.0/token`. */
export function matchAuthority(method: string, parts: string[]): AuthorityRoute | undefined {
    const [tenant, ...rest] = parts;
    if (!tenant || rest.length === 0 || !["oauth2", "v2.0", ".well-known", "discovery"].includes(rest[0]!))
        return undefined;
    const p = rest.join("/");
    if (p === "v2.0/.well-known/openid-configuration" || p === ".well-known/openid-configuration") {
        return { tenant, endpoint: "openid-configuration", key: `${method} openid-configuration` };
    }
    if (p === "discovery/v2.0/keys" || p === "discovery/keys")
        return { tenant, endpoint: "keys", key: `${method} keys` };
    if (p === "oauth2/v2.0/token") return { tenant, endpoint: "token", key: `${method} token` };
    return { tenant, endpoint: undefined, key: `${method} ${rest[rest.length - 1]}` };
}

export interface AuthorityState {
    origin: string;
    /** The tenant of an id (lower-cased), undefined for one the emulator does not have. */
    tenant: (tenantId: string) => TenantDirectory | undefined;
    runtime: RuntimeSettings;
    tokens: TokenService;
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

function secretMatches(expected: string, given: string): boolean {
    // Compare digests so neither length nor content leaks through timing.
    const a = createHash("sha256").update(expected).digest();
    const b = createHash("sha256").update(given).digest();
    return timingSafeEqual(a, b);
}

export class Authority {
    constructor(private readonly state: AuthorityState) {}

    private tenantUrl(tenant: TenantDirectory): string {
        return `${this.state.origin}/${tenant.tenantId}`;
    }

    private checkTenant(tenantId: string): TenantDirectory {
        const tenant = this.state.tenant(tenantId.toLowerCase());
        if (!tenant) {
            throw new EntraError(
                400,
                "invalid_request",
                90002,
                `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. ` +
                    "Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
            );
        }
        return tenant;
    }

    /** Throws EntraError; the caller renders it. */
    handle(route: AuthorityRoute, method: string, rawBody: string): Reply {
        if (route.endpoint === undefined) {
            throw new EntraError(
                404,
                "invalid_request",
                900561,
                "The endpoint only supports the OpenID discovery document, the keys document and the v2.0 token endpoint (client credentials).",
            );
        }
        const tenant = this.checkTenant(route.tenant);
        if (route.endpoint === "token") {
            if (method !== "POST")
                throw new EntraError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
            return this.token(tenant, rawBody);
        }
        if (method !== "GET")
            throw new EntraError(405, "invalid_request", 900561, "The endpoint only accepts GET requests.");
        if (route.endpoint === "keys") {
            // Access tokens are HMAC-signed with a process-local key, so there is no public key to publish.
            return jsonReply(200, { keys: [] }, PLAIN_JSON);
        }
        return jsonReply(200, this.discovery(tenant), PLAIN_JSON, { "Cache-Control": "max-age=86400, private" });
    }

    /**
     * MSAL requires authorization_endpoint, token_endpoint, issuer and jwks_uri (isOpenIdConfigResponse), checks that
     * the issuer has the authority's origin (validateIssuer), and takes the tenant from authorization_endpoint's first
     * path segment. The rest mirrors Entra's document. The same document is served with and without `v2.0`.
     */
    private discovery(tenant: TenantDirectory): Record<string, unknown> {
        const t = this.tenantUrl(tenant);
        return {
            token_endpoint: `${t}/oauth2/v2.0/token`,
            token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt"],
            jwks_uri: `${t}/discovery/v2.0/keys`,
            response_modes_supported: ["query", "fragment", "form_post"],
            subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"],
            response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
            scopes_supported: ["openid", "profile", "email", "offline_access"],
            issuer: `${t}/v2.0`,
            request_uri_parameter_supported: false,
            authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
            device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            end_session_endpoint: `${t}/oauth2/v2.0/logout`,
            claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid"],
            tenant_region_scope: "EMU",
            cloud_instance_name: "emulator",
            msgraph_host: new URL(this.state.origin).host,
        };
    }

    private token(tenant: TenantDirectory, rawBody: string): Reply {
        const form = new URLSearchParams(rawBody);
        const required = (name: string): string => {
            const v = form.get(name);
            if (!v)
                throw new EntraError(
                    400,
                    "invalid_request",
                    900144,
                    `The request body must contain the following parameter: '${name}'.`,
                );
            return v;
        };
        const grant = required("grant_type");
        if (grant !== "client_credentials") {
            throw new EntraError(
                400,
                "unsupported_grant_type",
                70003,
                `The app requested an unsupported grant type '${grant}'. The emulator supports client_credentials only.`,
            );
        }
        const clientId = required("client_id");
        const client = tenant.clients().find((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
        if (!client) {
            throw new EntraError(
                400,
                "unauthorized_client",
                700016,
                `Application with identifier '${clientId}' was not found in the directory '${tenant.tenantId}'. ` +
                    "This can happen if the application has not been installed by the administrator of the tenant.",
            );
        }
        this.checkScope(tenant, required("scope"));
        const appidacr = this.authenticate(tenant, client, form);
        const lifetime = this.state.runtime.tokenLifetimeSeconds;
        const { token, expiresIn } = this.state.tokens.issue(
            client.clientId,
            client.roles ?? [ROLE_READ_WRITE],
            lifetime,
            appidacr,
            tenant.tenantId,
        );
        return jsonReply(
            200,
            { token_type: "Bearer", expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token },
            PLAIN_JSON,
            { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" },
        );
    }

    /** App-only requests must ask for `<graphEndpoint>/.default`; OIDC scopes that MSAL may add are ignored. */
    private checkScope(tenant: TenantDirectory, scope: string): void {
        const resources = scope
            .split(/\s+/)
            .filter((s) => s && !["openid", "profile", "offline_access", "email"].includes(s));
        const wanted = `${this.state.origin}/.default`;
        if (resources.length !== 1 || !resources[0]!.endsWith("/.default")) {
            throw new EntraError(
                400,
                "invalid_scope",
                1002012,
                `The provided value for scope '${scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI): use '${wanted}'.`,
            );
        }
        if (resources[0]!.replace(/\/+\.default$/, "/.default").toLowerCase() !== wanted.toLowerCase()) {
            const resource = resources[0]!.slice(0, -"/.default".length);
            throw new EntraError(
                400,
                "invalid_resource",
                500011,
                `The resource principal named ${resource} was not found in the tenant named ${tenant.tenantId}. ` +
                    `This emulator's Graph resource is ${this.state.origin} (scope '${wanted}').`,
            );
        }
    }

    private authenticate(tenant: TenantDirectory, client: EmulatorClient, form: URLSearchParams): "1" | "2" {
        const secret = form.get("client_secret");
        const assertion = form.get("client_assertion");
        if (secret !== null) {
            if (client.clientSecret === undefined || !secretMatches(client.clientSecret, secret)) {
                throw new EntraError(
                    401,
                    "invalid_client",
                    7000215,
                    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
                );
            }
            return "1";
        }
        if (assertion !== null) {
            const type = form.get("client_assertion_type");
            if (type !== JWT_BEARER) {
                throw new EntraError(
                    400,
                    "invalid_request",
                    50027,
                    `Invalid client_assertion_type '${type ?? ""}'. Expected '${JWT_BEARER}'.`,
                );
            }
            const t = this.tenantUrl(tenant);
            return verifyClientAssertion(assertion, client, {
                clientId: client.clientId,
                audiences: [`${t}/oauth2/v2.0/token`, `${t}/v2.0`],
            });
        }
        throw new EntraError(
            401,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    }
}
