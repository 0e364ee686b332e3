// A stand-in for a CI system's ID-token endpoint, over HTTPS with the emulator's certificate, in the two dialects
// the provider speaks:
//   - github: GitHub Actions' runner (GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>, bearer the request token,
//     answers {"count": 1, "value": "<jwt>"});
//   - azurePipelines: Azure Pipelines (POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=<id>, bearer
//     the job's System.AccessToken, answers {"oidcToken": "<jwt>"}).
// Each ID token names `issuer` and lives `lifetimeSeconds`; every request and token is recorded with its time, so
// tests can tell whether the provider asked again after a token expired. The emulator's authority takes the
// tokens as federated assertions of a client registered with the same issuer (it does not check their signature).
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { ensureCertificates } from "../../emulator/certs";

export type CiDialect = "github" | "azurePipelines";

export interface IdTokenRequest {
    /** When the request arrived (ms since the epoch). */
    at: number;
    method: string;
    authorization: string | undefined;
    /** The query, as sent: audience and api-version (GitHub), api-version and serviceConnectionId (Azure DevOps). */
    query: Record<string, string>;
}

export interface IssuedIdToken {
    jwt: string;
    /** The token's `exp` claim (seconds since the epoch). */
    exp: number;
}

export interface CiIdTokenEndpoint {
    /** GitHub: the request URL (with its api-version); Azure DevOps: SYSTEM_OIDCREQUESTURI (no query). */
    url: string;
    requests: IdTokenRequest[];
    issued: IssuedIdToken[];
    /** When true, every request is refused (401), as when the request token is wrong or expired. */
    deny: boolean;
    close(): Promise<void>;
}

export interface CiIdTokenOptions {
    dialect: CiDialect;
    /** The bearer token the endpoint accepts (ACTIONS_ID_TOKEN_REQUEST_TOKEN or System.AccessToken). */
    requestToken: string;
    issuer: string;
    subject: string;
    lifetimeSeconds: number;
    /** Azure DevOps: the only service connection id the endpoint issues tokens for. */
    serviceConnectionId?: string;
}

/** A JWT-shaped ID token (header and claims real, signature not). */
function idToken(claims: Record<string, unknown>): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2ln`;
}

export async function startCiIdTokenEndpoint(options: CiIdTokenOptions): Promise<CiIdTokenEndpoint> {
    const certs = ensureCertificates();
    const state = { requests: [] as IdTokenRequest[], issued: [] as IssuedIdToken[], deny: false };
    const github = options.dialect === "github";
    const server = https.createServer(
        { cert: fs.readFileSync(certs.certPath), key: fs.readFileSync(certs.keyPath) },
        (req, res) => {
            const url = new URL(req.url!, "https://ci");
            state.requests.push({
                at: Date.now(),
                method: req.method ?? "",
                authorization: req.headers.authorization,
                query: Object.fromEntries(url.searchParams),
            });
            req.resume();
            const answer = (status: number, body: object) => {
                res.statusCode = status;
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify(body));
            };
            if (state.deny || req.headers.authorization !== `Bearer ${options.requestToken}`) {
                // Neither service quotes the token it refused.
                answer(401, github ? { message: "Unauthorized" } : { message: "TF400813: not authorized." });
                return;
            }
            if (github ? req.method !== "GET" : req.method !== "POST") {
                answer(405, { message: `${req.method} is not allowed` });
                return;
            }
            if (!github && url.searchParams.get("serviceConnectionId") !== options.serviceConnectionId) {
                answer(400, { message: "The service connection does not exist or is not authorized for use." });
                return;
            }
            const now = Math.floor(Date.now() / 1000);
            const exp = now + options.lifetimeSeconds;
            const jwt = idToken({
                iss: options.issuer,
                sub: options.subject,
                aud: github ? url.searchParams.get("audience") : "api://AzureADTokenExchange",
                iat: now,
                nbf: now,
                exp,
                jti: randomBytes(8).toString("hex"),
            });
            state.issued.push({ jwt, exp });
            answer(200, github ? { count: 1, value: jwt } : { oidcToken: jwt });
        },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const base = `https://127.0.0.1:${port}/_apis/distributedtask/hubs/build/plans/p/jobs/j`;
    return Object.assign(state, {
        url: github ? `${base}/idtoken?api-version=2.0` : `${base}/oidctoken`,
        close: () =>
            new Promise<void>((r) => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    });
}
