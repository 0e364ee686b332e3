import * as assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AzureCliCredential, ManagedIdentityCredential } from "@azure/identity";
import {
    cloudFromName,
    cloudOfGraphEndpoint,
    CLOUDS,
    shouldDisableInstanceDiscovery,
    snapshotImportCloudHint,
} from "../../provider/config/clouds";
import {
    authorityOptions,
    createCredential,
    credentialKind,
    federatedAssertionSource,
    federatedTokenSource,
} from "../../provider/config/credential";
import { describeCredentialChoice, logOncePerProcess } from "../../provider/config/credential-choice";
import { oidcRequestTokenSource } from "../../provider/config/oidc-request";
import { RenewableCredential } from "../../provider/config/renewable-credential";
import { SettingsError } from "../../provider/config/settings-error";
import {
    resolveSettings,
    SETTINGS_TABLE,
    settingsTableMarkdown,
    tokenScope,
    type ProviderSettings,
} from "../../provider/config/settings";
import { specFor, type SettingSpec } from "../../provider/config/settings-table";
import { GraphClient, type GraphRequest, type GraphResponse } from "../../provider/graph/client";
import { GraphError } from "../../provider/graph/errors";
import { importSnapshot, purgeImportedSnapshots } from "../../provider/snapshots/imports";
import { settingsErrorOf } from "../harness/settings-error";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "cl1ent~secret-value-XYZ";

/** A stack config as `configure(req)` hands it: keys "cloudpc:<key>". */
function config(values: Record<string, string>): { get(key: string): string | undefined } {
    return { get: (key) => values[key] };
}

/** A valid sample value per setting type. */
function sample(spec: SettingSpec): { raw: string; expected: unknown } {
    switch (spec.type) {
        case "boolean":
            return { raw: "true", expected: true };
        case "guid":
            return { raw: CLIENT, expected: CLIENT };
        case "tenant":
            return { raw: TENANT, expected: TENANT };
        case "cloud":
            return { raw: "AzureUSGovernment", expected: "usgovernment" };
        case "origin":
            return spec.key === "graphEndpoint"
                ? { raw: "https://graph.example.test:8443/", expected: "https://graph.example.test:8443" }
                : { raw: "https://login.example.test", expected: "https://login.example.test" };
        case "url":
            return spec.key === "oidcRequestUrl"
                ? {
                      raw: "https://runner.example.test/idtoken?api-version=2.0",
                      expected: "https://runner.example.test/idtoken?api-version=2.0",
                  }
                : { raw: "https://{account}.blob.example.test/", expected: "https://{account}.blob.example.test" };
        case "number":
            return { raw: "0.25", expected: 0.25 };
        default:
            return { raw: `value-of-${spec.key}`, expected: `value-of-${spec.key}` };
    }
}

describe("resolveSettings", () => {
    it("defaults to the public cloud with nothing set", () => {
        const s = resolveSettings(undefined, {});
        assert.deepEqual(s, {
            tenantId: undefined,
            clientId: undefined,
            clientSecret: undefined,
            clientCertificatePath: undefined,
            clientCertificatePassword: undefined,
            useOidc: false,
            oidcToken: undefined,
            oidcTokenFilePath: undefined,
            oidcRequestUrl: undefined,
            oidcRequestToken: undefined,
            oidcAudience: "api://AzureADTokenExchange",
            adoServiceConnectionId: undefined,
            adoSystemAccessToken: undefined,
            useCli: false,
            useMsi: false,
            environment: "public",
            graphEndpoint: "https://graph.microsoft.com",
            authorityHost: "https://login.microsoftonline.com",
            allowInsecureLoopback: false,
            pollIntervalSeconds: 2,
            notFoundMeansGone: false,
            pendingImportsDir: undefined,
            storageEndpoint: "https://{account}.blob.core.windows.net",
            verifiedReplacementsOnly: false,
        } satisfies ProviderSettings);
    });

    it("takes the poll interval in seconds, fractions too, and refuses what is not a positive number", () => {
        assert.equal(resolveSettings(undefined, { CLOUDPC_POLL_INTERVAL_SECONDS: "0.1" }).pollIntervalSeconds, 0.1);
        assert.equal(
            resolveSettings({ get: (k) => (k === "cloudpc:pollIntervalSeconds" ? "5" : undefined) }, {})
                .pollIntervalSeconds,
            5,
        );
        for (const bad of ["0", "-1", "soon", "Infinity"]) {
            assert.throws(
                () => resolveSettings(undefined, { CLOUDPC_POLL_INTERVAL_SECONDS: bad }),
                /cloudpc:pollIntervalSeconds.*is not a positive number/s,
                bad,
            );
        }
    });

    it("prefers stack config over the environment", () => {
        const s = resolveSettings(
            config({ "cloudpc:tenantId": TENANT, "cloudpc:useCli": "false", "cloudpc:environment": "china" }),
            { AZURE_TENANT_ID: "contoso.onmicrosoft.com", ARM_USE_CLI: "true", ARM_ENVIRONMENT: "usgovernment" },
        );
        assert.equal(s.tenantId, TENANT);
        assert.equal(s.useCli, false);
        assert.equal(s.environment, "china");
    });

    it("ignores empty values and falls through to the next source", () => {
        const s = resolveSettings(config({ "cloudpc:tenantId": " " }), { AZURE_TENANT_ID: "", ARM_TENANT_ID: TENANT });
        assert.equal(s.tenantId, TENANT);
    });

    for (const spec of SETTINGS_TABLE) {
        for (const [i, name] of spec.env.entries()) {
            it(`reads ${spec.configKey} from env ${name}`, () => {
                const { raw, expected } = sample(spec);
                const env: NodeJS.ProcessEnv = { [name]: raw };
                // A plain-http origin needs the loopback switch; none of the samples do.
                const s = resolveSettings(undefined, env) as unknown as Record<string, unknown>;
                assert.deepEqual(s[spec.key], expected);
                if (i > 0) {
                    // The earlier env var wins over this one.
                    const first = sample(spec);
                    const s2 = resolveSettings(undefined, {
                        [spec.env[0]]: first.raw,
                        [name]: "ignored",
                    }) as unknown as Record<string, unknown>;
                    assert.deepEqual(s2[spec.key], first.expected);
                }
            });
        }
        it(`reads ${spec.configKey} from stack config`, () => {
            const { raw, expected } = sample(spec);
            const s = resolveSettings(config({ [spec.configKey]: raw }), {}) as unknown as Record<string, unknown>;
            assert.deepEqual(s[spec.key], expected);
        });
    }

    it("turns OIDC on when AZURE_FEDERATED_TOKEN_FILE is set, unless config says no", () => {
        assert.equal(resolveSettings(undefined, { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" }).useOidc, true);
        assert.equal(
            resolveSettings(undefined, { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" }).oidcTokenFilePath,
            "/var/run/token",
        );
        assert.equal(
            resolveSettings(config({ "cloudpc:useOidc": "false" }), { AZURE_FEDERATED_TOKEN_FILE: "/t" }).useOidc,
            false,
        );
    });

    it("parses booleans and rejects anything else, naming the key", () => {
        for (const v of ["true", "TRUE", "1", "yes"])
            assert.equal(resolveSettings(undefined, { ARM_USE_MSI: v }).useMsi, true);
        for (const v of ["false", "False", "0", "no"])
            assert.equal(resolveSettings(undefined, { ARM_USE_MSI: v }).useMsi, false);
        const err = settingsErrorOf(() => resolveSettings(config({ "cloudpc:useMsi": "maybe" }), {}));
        assert.match(err.message, /cloudpc:useMsi \(env ARM_USE_MSI\)/);
        assert.match(err.message, /"maybe"/);
        assert.match(err.message, /stack config cloudpc:useMsi/);
        assert.match(err.message, /Fix: use "true" or "false"/);
        assert.deepEqual(err.keys, ["cloudpc:useMsi"]);
    });

    describe("national clouds", () => {
        for (const [cloud, ep] of Object.entries(CLOUDS)) {
            it(`maps ${cloud} to its Graph and Entra hosts`, () => {
                const s = resolveSettings(undefined, { ARM_ENVIRONMENT: cloud });
                assert.equal(s.graphEndpoint, ep.graphEndpoint);
                assert.equal(s.authorityHost, ep.authorityHost);
                assert.equal(tokenScope(s), `${ep.graphEndpoint}/.default`);
            });
        }
        it("accepts aliases case-insensitively", () => {
            const cases: Record<string, string> = {
                AzurePublicCloud: "public",
                global: "public",
                AZURECLOUD: "public",
                usgov: "usgovernment",
                AzureUSGovernment: "usgovernment",
                "us-government-dod": "usgovernmentdod",
                dod: "usgovernmentdod",
                AzureChinaCloud: "china",
                china: "china",
            };
            for (const [alias, cloud] of Object.entries(cases)) assert.equal(cloudFromName(alias), cloud, alias);
            assert.equal(
                resolveSettings(undefined, { AZURE_ENVIRONMENT: "AzureChinaCloud" }).graphEndpoint,
                "https://microsoftgraph.chinacloudapi.cn",
            );
        });
        it("rejects an unknown cloud with the accepted names", () => {
            const err = settingsErrorOf(() => resolveSettings(undefined, { AZURE_ENVIRONMENT: "mars" }));
            assert.match(err.message, /cloudpc:environment \(env ARM_ENVIRONMENT, AZURE_ENVIRONMENT\)/);
            assert.match(err.message, /"mars" from env AZURE_ENVIRONMENT/);
            assert.match(err.message, /public, usgovernment, usgovernmentdod, china/);
        });
        it("import and purge are documented for global, US Gov L4 and L5 (DoD), not China", () => {
            const documented = Object.entries(CLOUDS)
                .filter(([, c]) => c.snapshotImportDocumented)
                .map(([name]) => name);
            assert.deepEqual(documented, ["public", "usgovernment", "usgovernmentdod"]);
            assert.equal(cloudOfGraphEndpoint("https://MicrosoftGraph.chinacloudapi.cn"), "china");
            assert.equal(cloudOfGraphEndpoint("https://dod-graph.microsoft.us"), "usgovernmentdod");
            assert.equal(cloudOfGraphEndpoint("https://127.0.0.1:8443"), undefined);
            for (const c of ["public", "usgovernment", "usgovernmentdod"] as const)
                assert.equal(snapshotImportCloudHint(CLOUDS[c].graphEndpoint), undefined);
            assert.equal(
                snapshotImportCloudHint("https://graph.example.test"),
                undefined,
                "an emulator or proxy gets no cloud hint",
            );
            assert.match(
                snapshotImportCloudHint(CLOUDS.china.graphEndpoint)!,
                /not for Microsoft Azure operated by 21Vianet \(China\)/,
            );
        });
        it("Graph's refusal of an import or purge in China carries the hint; other clouds' and other errors do not", async () => {
            /** A client whose every call is answered with `status`, without a network. */
            class Answering extends GraphClient {
                constructor(
                    graphEndpoint: string,
                    private readonly status: number,
                ) {
                    super({
                        graphEndpoint,
                        credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) },
                        scope: `${graphEndpoint}/.default`,
                    });
                }
                override async request<T>(r: GraphRequest): Promise<GraphResponse<T>> {
                    throw new GraphError({
                        status: this.status,
                        code: "BadRequest",
                        graphMessage: "Resource not found for the segment 'x'.",
                        operation: r.operation,
                        requestId: "rid-1",
                    });
                }
            }
            const request = { assignedUserId: "93aff428-61f2-467f-a879-1102af6fd4a8", sourceFiles: [] };
            const china = CLOUDS.china.graphEndpoint;
            await assert.rejects(
                importSnapshot(new Answering(china, 400), request),
                (e: GraphError) =>
                    e instanceof GraphError &&
                    e.status === 400 &&
                    /request-id: rid-1/.test(e.message) &&
                    /not for Microsoft Azure operated by 21Vianet/.test(e.message),
            );
            await assert.rejects(
                purgeImportedSnapshots(new Answering(china, 404), ["x"]),
                /importSnapshot and purgeImportedSnapshot .* not for Microsoft Azure operated by 21Vianet/,
            );
            await assert.rejects(
                importSnapshot(new Answering(china, 409), request),
                (e: Error) => !/21Vianet/.test(e.message),
                "a conflict is not a refusal of the API",
            );
            await assert.rejects(
                importSnapshot(new Answering(CLOUDS.usgovernmentdod.graphEndpoint, 400), request),
                (e: Error) => !/21Vianet/.test(e.message),
            );
        });
        it("lets explicit endpoints override the cloud's", () => {
            const s = resolveSettings(undefined, {
                ARM_ENVIRONMENT: "usgov",
                CLOUDPC_GRAPH_ENDPOINT: "https://graph.example.test",
                AZURE_AUTHORITY_HOST: "https://sts.example.test/",
            });
            assert.equal(s.graphEndpoint, "https://graph.example.test");
            assert.equal(s.authorityHost, "https://sts.example.test");
        });
    });

    describe("graphEndpoint must be an origin", () => {
        it("strips one trailing slash", () => {
            assert.equal(
                resolveSettings(undefined, { CLOUDPC_GRAPH_ENDPOINT: "https://graph.microsoft.com/" }).graphEndpoint,
                "https://graph.microsoft.com",
            );
        });
        it("rejects /beta and /v1.0 with a fix", () => {
            for (const v of [
                "https://graph.microsoft.com/beta",
                "https://graph.microsoft.com/v1.0/",
                "https://graph.microsoft.com/beta/deviceManagement",
            ]) {
                const err = settingsErrorOf(() => resolveSettings(undefined, { CLOUDPC_GRAPH_ENDPOINT: v }));
                assert.match(err.message, /cloudpc:graphEndpoint \(env CLOUDPC_GRAPH_ENDPOINT\)/);
                assert.match(err.message, /origin only/);
                assert.match(err.message, /give https:\/\/graph\.microsoft\.com/);
                assert.ok(err.message.includes(JSON.stringify(v)));
            }
        });
        it("rejects other paths, queries and non-URLs", () => {
            for (const v of [
                "https://graph.microsoft.com/x",
                "https://graph.microsoft.com?x=1",
                "graph.microsoft.com",
                "ftp://graph.microsoft.com",
            ]) {
                settingsErrorOf(() => resolveSettings(undefined, { CLOUDPC_GRAPH_ENDPOINT: v }));
            }
        });
        it("allows plain http only to loopback with allowInsecureLoopback", () => {
            const err = settingsErrorOf(() =>
                resolveSettings(undefined, { CLOUDPC_GRAPH_ENDPOINT: "http://127.0.0.1:8080" }),
            );
            assert.match(err.message, /allowInsecureLoopback/);
            settingsErrorOf(() =>
                resolveSettings(config({ "cloudpc:allowInsecureLoopback": "true" }), {
                    CLOUDPC_GRAPH_ENDPOINT: "http://graph.example.test",
                }),
            );
            const s = resolveSettings(
                config({ "cloudpc:allowInsecureLoopback": "true", "cloudpc:graphEndpoint": "http://localhost:8080/" }),
                {},
            );
            assert.equal(s.graphEndpoint, "http://localhost:8080");
            assert.equal(s.allowInsecureLoopback, true);
        });
    });

    it("validates tenant and client ids", () => {
        assert.match(
            settingsErrorOf(() => resolveSettings(undefined, { AZURE_CLIENT_ID: "my-app" })).message,
            /cloudpc:clientId .*"my-app".*not a GUID/,
        );
        assert.match(
            settingsErrorOf(() => resolveSettings(undefined, { ARM_TENANT_ID: "not a tenant" })).message,
            /cloudpc:tenantId/,
        );
        assert.equal(
            resolveSettings(undefined, { ARM_TENANT_ID: "contoso.onmicrosoft.com" }).tenantId,
            "contoso.onmicrosoft.com",
        );
    });

    it("never shows a secret value in an error", () => {
        const err = SettingsError.invalid(
            specFor("clientSecret"),
            SECRET,
            "env AZURE_CLIENT_SECRET",
            "is odd",
            "fix it.",
        );
        assert.ok(!err.message.includes(SECRET));
        assert.match(err.message, /<secret, not shown>/);
    });

    it("documents every setting once in SETTINGS_TABLE", () => {
        const keys = SETTINGS_TABLE.map((s) => s.key).sort();
        assert.deepEqual(keys, Object.keys(resolveSettings(undefined, {})).sort());
        assert.equal(new Set(keys).size, keys.length);
        assert.deepEqual(
            SETTINGS_TABLE.filter((s) => s.secret)
                .map((s) => s.key)
                .sort(),
            ["adoSystemAccessToken", "clientCertificatePassword", "clientSecret", "oidcRequestToken", "oidcToken"],
        );
        assert.equal(settingsTableMarkdown().split("\n").length, SETTINGS_TABLE.length + 2);
    });
});

describe("credentials", () => {
    const base = (extra: Record<string, string>) => resolveSettings(undefined, extra);

    it("selects the credential kind in order: secret, certificate, OIDC, CLI, MSI, default", () => {
        assert.equal(
            credentialKind(base({ ARM_CLIENT_SECRET: SECRET, ARM_USE_MSI: "true", ARM_USE_CLI: "true" })),
            "clientSecret",
        );
        assert.equal(
            credentialKind(base({ ARM_CLIENT_CERTIFICATE_PATH: "/c.pem", ARM_USE_OIDC: "true" })),
            "clientCertificate",
        );
        assert.equal(credentialKind(base({ ARM_USE_OIDC: "true", ARM_USE_CLI: "true" })), "workloadIdentity");
        assert.equal(credentialKind(base({ ARM_USE_CLI: "true", ARM_USE_MSI: "true" })), "azureCli");
        assert.equal(credentialKind(base({ ARM_USE_MSI: "true" })), "managedIdentity");
        assert.equal(credentialKind(base({})), "default");
    });

    it("builds each credential", () => {
        const ids = { ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT };
        const secret = createCredential(base({ ...ids, ARM_CLIENT_SECRET: SECRET }));
        assert.equal(secret.kind, "clientSecret");
        assert.ok(secret.credential instanceof RenewableCredential);

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cred-"));
        try {
            const pem = path.join(dir, "c.pem");
            fs.writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
            assert.equal(
                createCredential(base({ ...ids, ARM_CLIENT_CERTIFICATE_PATH: pem })).kind,
                "clientCertificate",
            );
            const tokenFile = path.join(dir, "token");
            assert.equal(
                createCredential(base({ ...ids, AZURE_FEDERATED_TOKEN_FILE: tokenFile })).kind,
                "workloadIdentity",
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.ok(createCredential(base({ ARM_USE_CLI: "true" })).credential instanceof AzureCliCredential);
        assert.ok(
            createCredential(base({ ARM_USE_MSI: "true", ARM_CLIENT_ID: CLIENT })).credential instanceof
                ManagedIdentityCredential,
        );
        assert.equal(createCredential(base({})).kind, "default");
    });

    it("names what is missing, without the secret", () => {
        const err = settingsErrorOf(() => createCredential(base({ ARM_CLIENT_SECRET: SECRET })));
        assert.match(
            err.message,
            /a client secret is set, but cloudpc:tenantId \(env AZURE_TENANT_ID, ARM_TENANT_ID, AZURESUBSCRIPTION_TENANT_ID\) and cloudpc:clientId \(env AZURE_CLIENT_ID, ARM_CLIENT_ID, AZURESUBSCRIPTION_CLIENT_ID\) are not set/,
        );
        assert.deepEqual(err.keys, ["cloudpc:tenantId", "cloudpc:clientId"]);
        assert.ok(!err.message.includes(SECRET));

        const oidc = settingsErrorOf(() =>
            createCredential(base({ ARM_USE_OIDC: "true", ARM_TENANT_ID: TENANT, ARM_CLIENT_ID: CLIENT })),
        );
        assert.match(oidc.message, /cloudpc:oidcTokenFilePath .*, cloudpc:oidcToken .* and cloudpc:oidcRequestUrl/);
        assert.match(oidc.message, /id-token: write/);
        const half = settingsErrorOf(() =>
            createCredential(
                base({
                    ARM_USE_OIDC: "true",
                    ARM_TENANT_ID: TENANT,
                    ARM_CLIENT_ID: CLIENT,
                    ACTIONS_ID_TOKEN_REQUEST_URL: "https://runner.example.test/idtoken?api-version=2.0",
                }),
            ),
        );
        assert.deepEqual(half.keys, ["cloudpc:oidcRequestToken"]);

        const cert = settingsErrorOf(() =>
            createCredential(
                base({
                    ARM_TENANT_ID: TENANT,
                    ARM_CLIENT_ID: CLIENT,
                    ARM_CLIENT_CERTIFICATE_PATH: "/nonexistent/c.pem",
                }),
            ),
        );
        assert.match(cert.message, /cloudpc:clientCertificatePath .*does not name a readable file \(ENOENT\)/);
    });

    it("reads GitHub's and Terraform's names for the runner's ID-token endpoint; a request URL must be https", () => {
        const gh = base({
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://gh.example.test/t?api-version=2.0",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token",
        });
        assert.equal(gh.oidcRequestUrl, "https://gh.example.test/t?api-version=2.0");
        assert.equal(gh.oidcRequestToken, "gh-request-token");
        const arm = base({
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://gh.example.test/t",
            ARM_OIDC_REQUEST_URL: "https://arm.example.test/t",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token",
            ARM_OIDC_REQUEST_TOKEN: "arm-request-token",
            CLOUDPC_OIDC_AUDIENCE: "api://custom",
        });
        assert.deepEqual(
            [arm.oidcRequestUrl, arm.oidcRequestToken, arm.oidcAudience],
            ["https://arm.example.test/t", "arm-request-token", "api://custom"],
        );
        assert.throws(
            () => base({ ARM_OIDC_REQUEST_URL: "http://runner.example.test/t" }),
            /cloudpc:oidcRequestUrl.*plain http/s,
        );
        assert.equal(
            base({ ARM_OIDC_REQUEST_URL: "http://127.0.0.1:9/t", CLOUDPC_ALLOW_INSECURE_LOOPBACK: "true" })
                .oidcRequestUrl,
            "http://127.0.0.1:9/t",
        );
    });

    it("prefers a token or token file the user gave over the runner's ambient request URL", async () => {
        const runner = {
            oidcRequestUrl: "https://runner.example.test/t",
            oidcRequestToken: "request-token",
            oidcAudience: "api://AzureADTokenExchange",
        };
        assert.equal(await federatedAssertionSource({ ...runner, oidcToken: "literal-token" })(), "literal-token");
        const asked: string[] = [];
        const fetchFn = (async (url: URL, init: RequestInit) => {
            asked.push(`${(init.headers as Record<string, string>).Authorization} ${url.toString()}`);
            return new Response(JSON.stringify({ value: `id-token-${asked.length}` }), { status: 200 });
        }) as unknown as typeof fetch;
        const source = oidcRequestTokenSource(
            { url: runner.oidcRequestUrl, token: runner.oidcRequestToken, audience: "api://x" },
            undefined,
            fetchFn,
        );
        assert.deepEqual([await source(), await source()], ["id-token-1", "id-token-2"]);
        assert.deepEqual(asked, [
            "Bearer request-token https://runner.example.test/t?audience=api%3A%2F%2Fx",
            "Bearer request-token https://runner.example.test/t?audience=api%3A%2F%2Fx",
        ]);
    });

    it("says which credential and where its settings came from, without values, once per process", () => {
        const env = {
            AZURE_CLIENT_SECRET: SECRET,
            ARM_TENANT_ID: TENANT,
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://runner.example.test/t",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token-value",
        };
        const secret = resolveSettings(config({ "cloudpc:clientId": CLIENT }), env);
        const line = describeCredentialChoice(secret, credentialKind(secret));
        assert.equal(
            line,
            "signing in with a client secret: clientSecret from env AZURE_CLIENT_SECRET, " +
                "tenantId from env ARM_TENANT_ID, clientId from stack config cloudpc:clientId.",
        );
        // Stack config's useOidc beats the secret left in the environment, and the line says so.
        const beaten = resolveSettings(config({ "cloudpc:clientId": CLIENT, "cloudpc:useOidc": "true" }), env);
        const beatenLine = describeCredentialChoice(beaten, credentialKind(beaten));
        assert.match(
            beatenLine,
            /^signing in with workload identity federation \(OIDC\): useOidc from stack config cloudpc:useOidc, .* Not used: clientSecret from env AZURE_CLIENT_SECRET \(stack config cloudpc:useOidc selects workload identity federation \(OIDC\), and stack config beats the environment\)\.$/,
        );
        const oidc = resolveSettings(config({ "cloudpc:clientId": CLIENT, "cloudpc:useOidc": "true" }), {
            ...env,
            AZURE_CLIENT_SECRET: "",
        });
        const oidcLine = describeCredentialChoice(oidc, credentialKind(oidc));
        assert.equal(
            oidcLine,
            "signing in with workload identity federation (OIDC): useOidc from stack config cloudpc:useOidc, " +
                "oidcRequestUrl from env ACTIONS_ID_TOKEN_REQUEST_URL, oidcRequestToken from env ACTIONS_ID_TOKEN_REQUEST_TOKEN, " +
                "oidcAudience from its default, tenantId from env ARM_TENANT_ID, clientId from stack config cloudpc:clientId.",
        );
        const aks = resolveSettings(undefined, { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" });
        assert.match(
            describeCredentialChoice(aks, credentialKind(aks)),
            /useOidc from env AZURE_FEDERATED_TOKEN_FILE, oidcTokenFilePath from env AZURE_FEDERATED_TOKEN_FILE\./,
        );
        for (const value of [SECRET, TENANT, CLIENT, "request-token-value", "runner.example.test"]) {
            assert.ok(![line, beatenLine, oidcLine].some((l) => l.includes(value)), value);
        }
        const logged: string[] = [];
        const unique = `${oidcLine} (${randomUUID()})`;
        logOncePerProcess(unique, (m) => logged.push(m));
        logOncePerProcess(unique, (m) => logged.push(m));
        assert.deepEqual(logged, [unique]);
    });

    it("reads the federated token file at every call (it rotates)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oidc-"));
        try {
            const file = path.join(dir, "token");
            fs.writeFileSync(file, "first-token-aaaa\n");
            const source = federatedTokenSource({ oidcTokenFilePath: file });
            assert.equal(await source(), "first-token-aaaa");
            fs.writeFileSync(file, "second-token-bbbb");
            assert.equal(await source(), "second-token-bbbb");
            assert.equal(await federatedTokenSource({ oidcToken: "literal-token" })(), "literal-token");
            fs.rmSync(file);
            await assert.rejects(source(), /Cannot read the federated token file/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("instance discovery", () => {
        it("stays on for Entra's own hosts", () => {
            for (const host of [
                "https://login.microsoftonline.com",
                "https://login.microsoftonline.us",
                "https://login.chinacloudapi.cn",
                "login.microsoft.com",
                "https://LOGIN.MICROSOFTONLINE.COM/",
            ]) {
                assert.equal(shouldDisableInstanceDiscovery(host), false, host);
            }
        });
        it("is disabled for any other authority (emulators, private STS)", () => {
            for (const host of [
                "https://127.0.0.1:8443",
                "https://localhost:9000",
                "https://login.example.test",
                "https://login.microsoftonline.com.evil.test",
            ]) {
                assert.equal(shouldDisableInstanceDiscovery(host), true, host);
            }
        });
        it("is passed to the credentials with the authority host", () => {
            assert.deepEqual(authorityOptions(base({ AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443" })), {
                authorityHost: "https://127.0.0.1:8443",
                disableInstanceDiscovery: true,
            });
            assert.deepEqual(authorityOptions(base({ ARM_ENVIRONMENT: "usgov" })), {
                authorityHost: "https://login.microsoftonline.us",
                disableInstanceDiscovery: false,
            });
        });
    });
});
