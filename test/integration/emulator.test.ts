// The Graph emulator over real HTTPS: Entra-style authority (with the real @azure/identity credentials), the
// snapshot import state machine, read functions and paging, purge, fault injection, throttling, tokens,
// correlation headers, stats, the HTTPS control routes, the CLI and the certificate cache.
//
// TRUST: @azure/identity (MSAL) connects with Node's default CA store, so start mocha with the emulator's CA:
//   NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)" npx mocha -r ts-node/register/transpile-only test/integration/emulator.test.ts
// (scripts/test.sh does this). Node reads NODE_EXTRA_CA_CERTS only at start-up; if it was not set, trustProcessWide()
// adds the CA at run time instead. The raw HTTP calls below pass the CA explicitly through an undici Agent.
import { strict as assert } from "node:assert";
import { defaultUpn } from "../../emulator/options";
import { TokenService } from "../../emulator/tokens";
import { spawn } from "node:child_process";
import { createPrivateKey, createSign, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { Agent, request } from "undici";
import { type Emulator, ensureCertificates, ensureClientCertificate, startEmulator } from "../../emulator";
import type {
    CloudPcSnapshot,
    CloudPcSnapshotImportActionResult,
    ODataCollection,
} from "../../provider/snapshots/types";
import { emulatorHttp, type Answer, type Http } from "../harness/emulator-http";

const ROOT = path.resolve(__dirname, "../..");
const SNAPSHOTS = "/beta/deviceManagement/virtualEndpoint/snapshots";
const ACCOUNT =
    "/subscriptions/0231ef39-1113-4772-bffe-26e7d8a15c9e/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/cloudpcvhds";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READER_ID = "1a2b3c4d-0000-4000-8000-00000000abcd";
const FEDERATED_ID = "2b3c4d5e-0000-4000-8000-00000000abcd";
const CERT_CLIENT_ID = "3c4d5e6f-0000-4000-8000-00000000abcd";
const FEDERATED_ISSUER = "https://token.actions.githubusercontent.com";
const NO_POLICY_USER = "0a0b0c0d-1111-4222-8333-444455556666";
const KNOWN_USER = "0a0b0c0d-1111-4222-8333-777788889999";

function trustProcessWide(caPath: string): void {
    const ca = fs.readFileSync(caPath, "utf8").trim();
    if (tls.getCACertificates("extra").some((c) => c.trim() === ca)) return; // NODE_EXTRA_CA_CERTS did it
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), ca]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const user = (): string => randomUUID();

function blob(fileName = "disk.vhd", field: "fileName" | "blobName" = "fileName"): Record<string, unknown> {
    return {
        sourceType: "azureStorageAccount",
        fileType: "dataFile",
        storageBlobInfo: { storageAccountId: ACCOUNT, containerName: "vhds", [field]: fileName },
    };
}

describe("Graph emulator", function () {
    this.timeout(30_000);
    let emu: Emulator;
    let agent: Agent;
    let token: string;
    let clientCert: ReturnType<typeof ensureClientCertificate>;

    // emu and agent are set in before(): bound at each call.
    const http: Http = (method, path, opts) => emulatorHttp(emu, agent, () => token)(method, path, opts);

    async function tokenFor(clientId: string, secret: string): Promise<string> {
        const r = await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
            token: null,
            form: {
                grant_type: "client_credentials",
                client_id: clientId,
                client_secret: secret,
                scope: `${emu.graphEndpoint}/.default`,
            },
        });
        assert.equal(r.status, 200, r.text);
        return r.json.access_token as string;
    }

    const importFor = (assignedUserId: string, files: unknown[] = [blob()]): Promise<Answer> =>
        http("POST", `${SNAPSHOTS}/importSnapshot`, { body: { assignedUserId, sourceFiles: files } });
    const retrieveOne = (id: string): Promise<Answer> =>
        http("GET", `${SNAPSHOTS}/retrieveSnapshotImportResult(snapshotId='${id}')`);

    before(async () => {
        clientCert = ensureClientCertificate();
        emu = await startEmulator({
            importDurationMs: 300,
            users: [
                { id: NO_POLICY_USER, hasProvisioningPolicy: false },
                { id: KNOWN_USER, userPrincipalName: "ryan@contoso.com", policyName: "Contoso_Policy" },
            ],
            clients: [
                { clientId: "0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f", clientSecret: "emulator-client-secret" },
                { clientId: READER_ID, clientSecret: "reader-secret", roles: ["CloudPC.Read.All"] },
                { clientId: FEDERATED_ID, federatedIssuer: FEDERATED_ISSUER },
                { clientId: CERT_CLIENT_ID, certificatePem: clientCert.certificatePem },
            ],
        });
        trustProcessWide(emu.caCertPath);
        agent = new Agent({ connect: { ca: fs.readFileSync(emu.caCertPath, "utf8") } });
        token = await tokenFor(emu.clientId, emu.clientSecret);
    });
    after(async () => {
        await emu?.close();
        await agent?.close();
    });
    beforeEach(() => {
        emu.imports.clear();
        emu.faults.clear();
        emu.resetStats();
        emu.setOptions({
            pageSize: 100,
            importDurationMs: 300,
            rateLimit: undefined,
            importResultFunctions: [
                "retrieveSnapshotImportResult",
                "retrieveSnapshotImportResults",
                "listSnapshotImportResults",
            ],
        });
    });

    describe("API surface", () => {
        it("exposes origin-only endpoints, the default identities and a pasteable env", () => {
            assert.match(emu.graphEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
            assert.equal(emu.authorityHost, emu.graphEndpoint);
            assert.equal(emu.tenantId, "7c3a9f1e-2b4d-4e8a-9f00-5d6c7b8a9e01");
            assert.equal(emu.clientId, "0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f");
            assert.deepEqual(Object.keys(emu.env()).sort(), [
                "AZURE_CLIENT_ID",
                "AZURE_CLIENT_SECRET",
                "AZURE_TENANT_ID",
                "CLOUDPC_AUTHORITY_HOST",
                "CLOUDPC_GRAPH_ENDPOINT",
                "NODE_EXTRA_CA_CERTS",
            ]);
            assert.equal(emu.env().NODE_EXTRA_CA_CERTS, emu.caCertPath);
        });

        it("refuses to change options fixed at start and rejects bad values", () => {
            assert.throws(() => emu.setOptions({ port: 1 }), /fixed/);
            assert.throws(() => emu.setOptions({ pageSize: 0 }), /pageSize/);
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            assert.throws(() => emu.setOptions({ importResultFunctions: ["nope" as any] }), /unknown function/);
        });
    });

    describe("Entra-style authority", () => {
        it("serves a discovery document pointing at the emulator, with and without v2.0", async () => {
            for (const p of [
                `/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
                `/${emu.tenantId}/.well-known/openid-configuration`,
            ]) {
                const r = await http("GET", p, { token: null });
                assert.equal(r.status, 200);
                for (const key of [
                    "token_endpoint",
                    "authorization_endpoint",
                    "issuer",
                    "jwks_uri",
                    "end_session_endpoint",
                ]) {
                    assert.ok(
                        String(r.json[key]).startsWith(`${emu.authorityHost}/${emu.tenantId}/`),
                        `${key}: ${r.json[key]}`,
                    );
                }
            }
            const keys = await http("GET", `/${emu.tenantId}/discovery/v2.0/keys`, { token: null });
            assert.deepEqual(keys.json, { keys: [] });
        });

        it("issues a token to the real @azure/identity ClientSecretCredential, usable against Graph", async () => {
            const cred = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
                authorityHost: emu.authorityHost,
                disableInstanceDiscovery: true,
            });
            const t = await cred.getToken(`${emu.graphEndpoint}/.default`);
            assert.equal(t.token.split(".").length, 3, "JWT-shaped");
            const claims = JSON.parse(Buffer.from(t.token.split(".")[1]!, "base64url").toString());
            assert.equal(claims.aud, emu.graphEndpoint);
            assert.equal(claims.tid, emu.tenantId);
            assert.equal(claims.appid, emu.clientId);
            assert.deepEqual(claims.roles, ["CloudPC.ReadWrite.All", "User.ReadBasic.All"]);
            assert.ok(claims.exp > Date.now() / 1000 + 3000);
            const r = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: t.token });
            assert.equal(r.status, 200);
            assert.equal(emu.stats().byRoute["POST token"], 1);
        });

        it("fails a wrong secret with AADSTS7000215 through @azure/identity", async () => {
            const cred = new ClientSecretCredential(emu.tenantId, emu.clientId, "not-the-secret", {
                authorityHost: emu.authorityHost,
                disableInstanceDiscovery: true,
            });
            await assert.rejects(cred.getToken(`${emu.graphEndpoint}/.default`), (err: Error) => {
                assert.match(err.message, /AADSTS7000215/);
                assert.ok(!err.message.includes("not-the-secret"), "the secret is not echoed");
                return true;
            });
        });

        it("answers Entra-shaped errors on the token endpoint", async () => {
            const form = {
                grant_type: "client_credentials",
                client_id: emu.clientId,
                client_secret: "wrong",
                scope: `${emu.graphEndpoint}/.default`,
            };
            const wrong = await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, { token: null, form });
            assert.equal(wrong.status, 401);
            assert.equal(wrong.json.error, "invalid_client");
            assert.deepEqual(wrong.json.error_codes, [7000215]);
            assert.match(wrong.json.error_description, /^AADSTS7000215: Invalid client secret provided\./);
            for (const k of ["timestamp", "trace_id", "correlation_id"]) assert.ok(wrong.json[k], k);
            assert.ok(!wrong.text.includes("emulator-client-secret"));

            const tenant = await http("POST", `/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token`, {
                token: null,
                form: { ...form, client_secret: emu.clientSecret },
            });
            assert.equal(tenant.status, 400);
            assert.equal(tenant.json.error, "invalid_request");
            assert.deepEqual(tenant.json.error_codes, [90002]);

            const scope = await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
                token: null,
                form: { ...form, client_secret: emu.clientSecret, scope: "https://graph.microsoft.com/.default" },
            });
            assert.equal(scope.status, 400);
            assert.equal(scope.json.error, "invalid_resource");

            const client = await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
                token: null,
                form: { ...form, client_id: randomUUID() },
            });
            assert.equal(client.status, 400);
            assert.deepEqual(client.json.error_codes, [700016]);
        });

        it("accepts the real ClientCertificateCredential (signed client assertion)", async () => {
            const cred = new ClientCertificateCredential(
                emu.tenantId,
                CERT_CLIENT_ID,
                { certificatePath: clientCert.pemPath },
                { authorityHost: emu.authorityHost, disableInstanceDiscovery: true },
            );
            const t = await cred.getToken(`${emu.graphEndpoint}/.default`);
            assert.equal(JSON.parse(Buffer.from(t.token.split(".")[1]!, "base64url").toString()).appid, CERT_CLIENT_ID);
        });

        it("rejects a certificate assertion with a bad signature or the wrong audience", async () => {
            const key = createPrivateKey(fs.readFileSync(clientCert.keyPath));
            const now = Math.floor(Date.now() / 1000);
            const assertion = (aud: string, tamper = false): string => {
                const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
                const input = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ aud, iss: CERT_CLIENT_ID, sub: CERT_CLIENT_ID, exp: now + 300, nbf: now, jti: randomUUID() })}`;
                const sig = createSign("RSA-SHA256")
                    .update(tamper ? `${input}x` : input)
                    .sign(key)
                    .toString("base64url");
                return `${input}.${sig}`;
            };
            const post = (a: string): Promise<Answer> =>
                http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
                    token: null,
                    form: {
                        grant_type: "client_credentials",
                        client_id: CERT_CLIENT_ID,
                        scope: `${emu.graphEndpoint}/.default`,
                        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        client_assertion: a,
                    },
                });
            const endpoint = `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`;
            assert.equal((await post(assertion(endpoint))).status, 200);
            assert.deepEqual((await post(assertion(endpoint, true))).json.error_codes, [700027]);
            assert.deepEqual((await post(assertion("https://elsewhere.example/token"))).json.error_codes, [50013]);
        });

        it("accepts federated (workload identity) assertions from the configured issuer only", async () => {
            const fake = (iss: string, exp: number): string => {
                const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
                return `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss, sub: "repo:org/repo:ref:refs/heads/main", aud: "api://AzureADTokenExchange", exp })}.c2lnbmF0dXJl`;
            };
            const later = Math.floor(Date.now() / 1000) + 600;
            const ok = new ClientAssertionCredential(
                emu.tenantId,
                FEDERATED_ID,
                async () => fake(FEDERATED_ISSUER, later),
                { authorityHost: emu.authorityHost, disableInstanceDiscovery: true },
            );
            assert.ok((await ok.getToken(`${emu.graphEndpoint}/.default`)).token);
            const wrongIssuer = new ClientAssertionCredential(
                emu.tenantId,
                FEDERATED_ID,
                async () => fake("https://evil.example", later),
                { authorityHost: emu.authorityHost, disableInstanceDiscovery: true },
            );
            await assert.rejects(wrongIssuer.getToken(`${emu.graphEndpoint}/.default`), /AADSTS700211/);
            const expired = new ClientAssertionCredential(
                emu.tenantId,
                FEDERATED_ID,
                async () => fake(FEDERATED_ISSUER, later - 3600),
                { authorityHost: emu.authorityHost, disableInstanceDiscovery: true },
            );
            await assert.rejects(expired.getToken(`${emu.graphEndpoint}/.default`), /AADSTS700024/);
        });
    });

    describe("access tokens", () => {
        it("answers 401 InvalidAuthenticationToken with WWW-Authenticate when the token is missing or tampered", async () => {
            const missing = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: null });
            assert.equal(missing.status, 401);
            assert.equal(missing.json.error.code, "InvalidAuthenticationToken");
            assert.match(String(missing.headers["www-authenticate"]), /^Bearer /);
            const [h, p] = token.split(".");
            const forged = `${h}.${p}.${Buffer.from("forged").toString("base64url")}`;
            const tampered = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: forged });
            assert.equal(tampered.status, 401);
            assert.match(tampered.json.error.message, /signature/i);
        });

        it("expires tokens after tokenLifetimeSeconds", async () => {
            emu.setOptions({ tokenLifetimeSeconds: 1 });
            try {
                const short = await tokenFor(emu.clientId, emu.clientSecret);
                const claimsOf = (t: string) =>
                    JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
                const claims = claimsOf(short);
                assert.equal(claims.exp - claims.iat, 1, "the token lives tokenLifetimeSeconds");
                // Valid up to its exp, expired from then on: checked at given times (a request may come late on a busy machine).
                const tokens = new TokenService(emu.graphEndpoint, emu.tenantId);
                const own = tokens.issue(emu.clientId, [], 1, "1").token;
                const { iat, exp } = claimsOf(own);
                assert.equal(tokens.verify(own, iat * 1000).ok, true);
                assert.equal(tokens.verify(own, exp * 1000 - 1).ok, true);
                assert.equal(tokens.verify(own, exp * 1000).ok, false);
                // The server applies it: once the clock is past exp (however long that takes), the token is refused.
                while (Date.now() <= claims.exp * 1000) await sleep(100);
                const r = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: short });
                assert.equal(r.status, 401);
                assert.match(r.json.error.message, /expired/);
            } finally {
                emu.setOptions({ tokenLifetimeSeconds: 3600 });
            }
        });

        it("revokeTokens() invalidates every token issued so far, not later ones", async () => {
            const before = await tokenFor(emu.clientId, emu.clientSecret);
            emu.revokeTokens();
            const r = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: before });
            assert.equal(r.status, 401);
            assert.equal(r.json.error.code, "InvalidAuthenticationToken");
            token = await tokenFor(emu.clientId, emu.clientSecret);
            assert.equal((await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)).status, 200);
        });

        it("answers 403 Forbidden to a CloudPC.Read.All token on writes, but lets it read", async () => {
            const reader = await tokenFor(READER_ID, "reader-secret");
            assert.equal((await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, { token: reader })).status, 200);
            const w = await http("POST", `${SNAPSHOTS}/importSnapshot`, {
                token: reader,
                body: { assignedUserId: user(), sourceFiles: [blob()] },
            });
            assert.equal(w.status, 403);
            assert.equal(w.json.error.code, "Forbidden");
            assert.equal(emu.imports.list().length, 0);
        });
    });

    describe("importSnapshot (E1) and the state machine", () => {
        it("creates a pending record with snapshotId and advances it to succeeded", async () => {
            const u = user();
            const r = await importFor(u);
            assert.equal(r.status, 200);
            assert.match(r.json["@odata.context"], /\$metadata#microsoft\.graph\.cloudPcSnapshotImportActionResult$/);
            const created = r.json as CloudPcSnapshotImportActionResult;
            assert.match(created.snapshotId!, GUID);
            assert.equal(created.importStatus, "pending");
            assert.equal(created.usageStatus, "notUsed");
            assert.equal(created.filename, "disk.vhd");
            assert.equal(
                created.assignedUserPrincipalName,
                defaultUpn(u),
                "users are reported by UPN, never by object id",
            );
            assert.equal(created.policyName, "Emulator_ProvisioningPolicy");
            assert.equal(created.endDateTime, null);
            assert.equal(created.additionalDetail, null);
            assert.ok(!("assignedUserId" in r.json) && !("blobField" in r.json), "internal fields stay internal");

            const seen = new Set<string>();
            const deadline = Date.now() + 3000;
            let last: CloudPcSnapshotImportActionResult = created;
            while (Date.now() < deadline && last.importStatus !== "succeeded") {
                last = (await retrieveOne(created.snapshotId!)).json;
                seen.add(String(last.importStatus));
                await sleep(25);
            }
            assert.ok(seen.has("inProgress"), `saw ${[...seen].join(",")}`);
            assert.equal(last.importStatus, "succeeded");
            assert.ok(last.endDateTime && Date.parse(last.endDateTime) > Date.parse(last.startDateTime!));
            assert.equal(emu.imports.get(created.snapshotId!)?.assignedUserId, u);
            assert.equal(emu.imports.byUser(u).length, 1);
        });

        it("records which blob field the client used (fileName or the blobName alias)", async () => {
            const a = await importFor(user(), [blob("a.vhd", "fileName")]);
            const b = await importFor(user(), [blob("b.vhd", "blobName")]);
            assert.equal(emu.imports.get(a.json.snapshotId)?.blobField, "fileName");
            assert.equal(emu.imports.get(b.json.snapshotId)?.blobField, "blobName");
            assert.equal(b.json.filename, "b.vhd");
        });

        it("takes the file name from a SAS URL and never keeps the signature", async () => {
            const r = await importFor(user(), [
                {
                    sourceType: "sasUrl",
                    sasUrl: "https://acct.blob.core.windows.net/vhds/from-sas.vhd?sv=2022&sig=SECRETSIG",
                },
            ]);
            assert.equal(r.status, 200);
            assert.equal(r.json.filename, "from-sas.vhd");
            const rec = emu.imports.get(r.json.snapshotId)!;
            assert.equal(rec.blobField, "sasUrl");
            assert.ok(!JSON.stringify(rec).includes("SECRETSIG"));
        });

        it("shows a known user's UPN and policy", async () => {
            const r = await importFor(KNOWN_USER);
            assert.equal(r.json.assignedUserPrincipalName, "ryan@contoso.com");
            assert.equal(r.json.policyName, "Contoso_Policy");
        });

        it("refuses a second import for the same user with 409 Conflict, whatever the first one's status", async () => {
            const u = user();
            const first = await importFor(u);
            emu.imports.setStatus(first.json.snapshotId, "failed", "boom");
            const second = await importFor(u, [blob("other.vhd")]);
            assert.equal(second.status, 409);
            assert.equal(second.json.error.code, "Conflict");
            assert.match(second.json.error.message, /already has an imported snapshot.*purgeImportedSnapshot/);
            assert.ok(!second.text.includes(first.json.snapshotId), "the existing id is not disclosed");
            assert.equal(emu.imports.list().length, 1);
        });

        it("fails imports of non-fixed VHDs and of users without a provisioning policy, with additionalDetail", async () => {
            emu.setOptions({ importDurationMs: 0 });
            const vhd = await importFor(user(), [blob("dynamic-disk.vhd")]);
            const r1 = (await retrieveOne(vhd.json.snapshotId)).json;
            assert.equal(r1.importStatus, "failed");
            assert.match(r1.additionalDetail, /not a fixed-size VHD/);
            assert.ok(r1.endDateTime);

            const corrupt = await importFor(user(), [blob("Corrupt.vhd")]);
            assert.equal((await retrieveOne(corrupt.json.snapshotId)).json.importStatus, "failed");

            const policy = await importFor(NO_POLICY_USER);
            const r2 = (await retrieveOne(policy.json.snapshotId)).json;
            assert.equal(r2.importStatus, "failed");
            assert.match(
                r2.additionalDetail,
                /has no provisioning policy assigned\. Assign a Windows 365 provisioning policy to the user and import again\./,
            );
            assert.equal(r2.policyName, null);
        });

        const invalid: Array<[string, unknown, RegExp]> = [
            ["missing assignedUserId", { sourceFiles: [blob()] }, /assignedUserId/],
            ["non-GUID assignedUserId", { assignedUserId: "ryan@contoso.com", sourceFiles: [blob()] }, /GUID/],
            ["empty sourceFiles", { assignedUserId: randomUUID(), sourceFiles: [] }, /sourceFiles/],
            [
                "entry without storageBlobInfo or sasUrl",
                { assignedUserId: randomUUID(), sourceFiles: [{ fileType: "dataFile" }] },
                /storageBlobInfo.*sasUrl/,
            ],
            [
                "no dataFile",
                { assignedUserId: randomUUID(), sourceFiles: [{ ...blob(), fileType: "virtualMachineGuestState" }] },
                /exactly one/,
            ],
            [
                "two dataFiles",
                { assignedUserId: randomUUID(), sourceFiles: [blob("a.vhd"), blob("b.vhd")] },
                /exactly one/,
            ],
            [
                "bad storageAccountId",
                {
                    assignedUserId: randomUUID(),
                    sourceFiles: [
                        { storageBlobInfo: { storageAccountId: "acct", containerName: "c", fileName: "a.vhd" } },
                    ],
                },
                /storageAccountId/,
            ],
            [
                "http SAS",
                {
                    assignedUserId: randomUUID(),
                    sourceFiles: [{ sasUrl: "http://a.blob.core.windows.net/c/a.vhd?sig=x" }],
                },
                /https/,
            ],
            [
                "SAS without sig",
                {
                    assignedUserId: randomUUID(),
                    sourceFiles: [{ sasUrl: "https://a.blob.core.windows.net/c/a.vhd?sv=1" }],
                },
                /signature/,
            ],
            [
                "unknown enum member",
                { assignedUserId: randomUUID(), sourceFiles: [{ ...blob(), fileType: "osDisk" }] },
                /cloudPcSnapshotImportFileType/,
            ],
            ["not JSON", "{nope", /JSON/],
        ];
        for (const [name, body, message] of invalid) {
            it(`answers 400 BadRequest for ${name}`, async () => {
                const r = await http("POST", `${SNAPSHOTS}/importSnapshot`, { body });
                assert.equal(r.status, 400, r.text);
                assert.equal(r.json.error.code, "BadRequest");
                assert.match(r.json.error.message, message);
                assert.equal(emu.imports.list().length, 0);
            });
        }
    });

    describe("read functions (E2) and paging", () => {
        it("retrieveSnapshotImportResult returns one object; 404 itemNotFound when unknown", async () => {
            const id = (await importFor(user())).json.snapshotId;
            const r = await retrieveOne(id);
            assert.equal(r.status, 200);
            assert.equal(r.json.snapshotId, id);
            assert.equal(r.json.value, undefined);
            const missing = await retrieveOne(randomUUID());
            assert.equal(missing.status, 404);
            assert.equal(missing.json.error.code, "itemNotFound");
        });

        it("retrieveSnapshotImportResults returns a collection, empty when unknown", async () => {
            const id = (await importFor(user())).json.snapshotId;
            const r = await http("GET", `${SNAPSHOTS}/retrieveSnapshotImportResults(snapshotId='${id}')`);
            assert.equal(r.status, 200);
            assert.match(r.json["@odata.context"], /Collection\(microsoft\.graph\.cloudPcSnapshotImportActionResult\)/);
            assert.deepEqual(
                r.json.value.map((v: CloudPcSnapshotImportActionResult) => v.snapshotId),
                [id],
            );
            const none = await http("GET", `${SNAPSHOTS}/retrieveSnapshotImportResults(snapshotId='${randomUUID()}')`);
            assert.deepEqual(none.json.value, []);
        });

        it("pages listSnapshotImportResults with absolute @odata.nextLink and counts items", async () => {
            emu.setOptions({ pageSize: 2 });
            for (let i = 0; i < 5; i++) await importFor(user());
            emu.resetStats();
            const sizes: number[] = [];
            const ids = new Set<string>();
            let next: string | undefined = `${SNAPSHOTS}/listSnapshotImportResults`;
            while (next) {
                const page: ODataCollection<CloudPcSnapshotImportActionResult> = (await http("GET", next)).json;
                assert.ok(page["@odata.context"]);
                sizes.push(page.value.length);
                page.value.forEach((v) => ids.add(v.snapshotId!));
                next = page["@odata.nextLink"];
                if (next) {
                    assert.ok(next.startsWith(`${emu.graphEndpoint}/beta/`), next);
                    assert.match(next, /\$skiptoken=/);
                }
            }
            assert.deepEqual(sizes, [2, 2, 1]);
            assert.equal(ids.size, 5);
            assert.equal(emu.stats().itemsReturned, 5);
            assert.equal(emu.stats().byRoute["GET listSnapshotImportResults"], 3);
        });

        it("honours $top and $count", async () => {
            emu.setOptions({ pageSize: 2 });
            for (let i = 0; i < 4; i++) await importFor(user());
            const first = (await http("GET", `${SNAPSHOTS}/listSnapshotImportResults?$top=3&$count=true`)).json;
            assert.equal(first["@odata.count"], 4);
            assert.equal(first.value.length, 2);
            const second = (await http("GET", first["@odata.nextLink"])).json;
            assert.equal(second.value.length, 1);
            assert.equal(second["@odata.nextLink"], undefined);
        });

        for (const name of [
            "retrieveSnapshotImportResult",
            "retrieveSnapshotImportResults",
            "listSnapshotImportResults",
        ] as const) {
            it(`answers a bare 404 naming nothing when ${name} is not served (the name is taken as a key)`, async () => {
                const id = (await importFor(user())).json.snapshotId;
                emu.setOptions({
                    importResultFunctions: [
                        "retrieveSnapshotImportResult",
                        "retrieveSnapshotImportResults",
                        "listSnapshotImportResults",
                    ].filter((n) => n !== name) as never,
                });
                const p =
                    name === "listSnapshotImportResults"
                        ? `${SNAPSHOTS}/${name}`
                        : `${SNAPSHOTS}/${name}(snapshotId='${id}')`;
                const r = await http("GET", p);
                assert.equal(r.status, 404);
                assert.equal(r.json.error.code, "ResourceNotFound");
                assert.equal(r.json.error.message, "Resource not found.");
                assert.equal(emu.stats().byRoute[`GET ${name}`], 1, "still counted under its name");
            });
        }
    });

    describe("dialects, users and JSON batching", () => {
        const plural = (id: string) => `${SNAPSHOTS}/retrieveSnapshotImportResults(snapshotId='${id}')`;
        /** Batch URLs are relative to the version. */
        const rel = (path: string) => path.replace(/^\/beta/, "");
        afterEach(() => emu.setOptions({ dialect: "metadata", unknownIdAnswer: "empty" }));

        it("serves each dialect's read functions, and any other name as a key (bare 404)", async () => {
            const id = (await importFor(user())).json.snapshotId;
            const served = { metadata: [200, 404, 404], docs: [200, 200, 404], seed: [200, 200, 200] } as const;
            for (const [dialect, want] of Object.entries(served)) {
                emu.setOptions({ dialect: dialect as "metadata" });
                const got = [
                    (await http("GET", plural(id))).status,
                    (await retrieveOne(id)).status,
                    (await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)).status,
                ];
                assert.deepEqual(got, [...want], dialect);
                assert.deepEqual(
                    emu.currentOptions().importResultFunctions,
                    {
                        metadata: ["retrieveSnapshotImportResults"],
                        docs: ["retrieveSnapshotImportResults", "retrieveSnapshotImportResult"],
                        seed: [
                            "retrieveSnapshotImportResult",
                            "retrieveSnapshotImportResults",
                            "listSnapshotImportResults",
                        ],
                    }[dialect],
                );
            }
            assert.throws(
                () => emu.setOptions({ dialect: "beta" as never }),
                /dialect must be one of metadata, docs, seed/,
            );
        });

        it("answers an unknown id from the plural with an empty collection, or a 404 in the notFound variant", async () => {
            assert.deepEqual((await http("GET", plural(randomUUID()))).json.value, []);
            emu.setOptions({ unknownIdAnswer: "notFound" });
            const r = await http("GET", plural(randomUUID()));
            assert.equal(r.status, 404);
            const id = (await importFor(user())).json.snapshotId;
            assert.equal((await http("GET", plural(id))).json.value[0].snapshotId, id, "known ids still answer");
        });

        it("reads a user's UPN with User.ReadBasic.All; refuses a client without it", async () => {
            const r = await http("GET", `/beta/users/${KNOWN_USER}?$select=userPrincipalName`);
            assert.equal(r.status, 200);
            assert.equal(r.json.userPrincipalName, "ryan@contoso.com");
            const u = user();
            assert.equal((await http("GET", `/beta/users/${u}`)).json.userPrincipalName, defaultUpn(u));
            const reader = await tokenFor(READER_ID, "reader-secret");
            assert.equal((await http("GET", `/beta/users/${u}`, { token: reader })).status, 403);
        });

        it("$batch: each item answered on its own, in any order, counted and throttled per item", async () => {
            const id = (await importFor(user())).json.snapshotId;
            emu.resetStats();
            emu.faults.add({ route: "GET retrieveSnapshotImportResult", status: 503, retryAfter: "2" });
            const requests = [
                { id: "a", method: "GET", url: rel(plural(id)) },
                { id: "b", method: "GET", url: rel(plural(randomUUID())) },
                { id: "c", method: "GET", url: rel(`${SNAPSHOTS}/retrieveSnapshotImportResult(snapshotId='${id}')`) },
                { id: "d", method: "GET", url: rel(`${SNAPSHOTS}/nope(x='1')`) },
            ];
            const r = await http("POST", "/beta/$batch", { body: { requests } });
            assert.equal(r.status, 200);
            const byId = Object.fromEntries(r.json.responses.map((x: { id: string }) => [x.id, x]));
            assert.deepEqual(
                r.json.responses.map((x: { id: string }) => x.id),
                ["d", "c", "b", "a"],
                "not in request order",
            );
            assert.equal(byId.a.status, 200);
            assert.equal(byId.a.body.value[0].snapshotId, id);
            assert.deepEqual(byId.b.body.value, []);
            assert.equal(byId.c.status, 503);
            assert.equal(byId.c.headers["Retry-After"], "2");
            assert.match(byId.c.headers["request-id"], GUID);
            assert.equal(byId.d.status, 404);
            assert.equal(emu.stats().byRoute["GET retrieveSnapshotImportResults"], 2);
            assert.equal(emu.stats().byRoute["POST $batch"], 1);

            emu.setOptions({ rateLimit: { requestsPerSecond: 2, retryAfterSeconds: 1 } });
            const limited = await http("POST", "/beta/$batch", { body: { requests: requests.slice(0, 3) } });
            const statuses = limited.json.responses.map((x: { status: number }) => x.status).sort();
            assert.deepEqual(statuses, [200, 200, 429], "the limit counts items, not the envelope");

            const tooMany = Array.from({ length: 21 }, (_, i) => ({
                id: String(i),
                method: "GET",
                url: rel(plural(id)),
            }));
            emu.setOptions({ rateLimit: undefined });
            assert.equal((await http("POST", "/beta/$batch", { body: { requests: tooMany } })).status, 400);
        });
    });

    describe("purgeImportedSnapshot (E3)", () => {
        const purge = (body: unknown): Promise<Answer> => http("POST", `${SNAPSHOTS}/purgeImportedSnapshot`, { body });

        it("purges with 204 and frees the user's slot", async () => {
            const u = user();
            const id = (await importFor(u)).json.snapshotId;
            const r = await purge({ snapshotIds: [id] });
            assert.equal(r.status, 204);
            assert.equal(r.text, "");
            assert.equal(emu.imports.get(id), undefined);
            assert.equal((await importFor(u)).status, 200, "the user can import again");
        });

        it("is atomic: an unknown id answers 404 naming it and purges nothing", async () => {
            const id = (await importFor(user())).json.snapshotId;
            const ghost = randomUUID();
            const r = await purge({ snapshotIds: [id, ghost] });
            assert.equal(r.status, 404);
            assert.equal(r.json.error.code, "itemNotFound");
            assert.ok(r.json.error.message.includes(ghost));
            assert.ok(!r.json.error.message.includes(id));
            assert.ok(emu.imports.get(id), "the known one was not purged");
        });

        it("answers 400 for a missing/empty list or a non-GUID id, 409 when in use", async () => {
            assert.equal((await purge({})).status, 400);
            assert.equal((await purge({ snapshotIds: [] })).status, 400);
            assert.equal((await purge({ snapshotIds: ["nope"] })).status, 400);
            const id = (await importFor(user())).json.snapshotId;
            emu.imports.markInUse(id);
            const r = await purge({ snapshotIds: [id] });
            assert.equal(r.status, 409);
            assert.equal(r.json.error.code, "Conflict");
            assert.ok(emu.imports.get(id));
        });
    });

    describe("fault injection", () => {
        it("answers an injected 429 with Retry-After without acting", async () => {
            emu.faults.add({ route: "POST importSnapshot", status: 429, retryAfter: "0.2" });
            assert.equal(emu.faults.pending(), 1);
            const r = await importFor(user());
            assert.equal(r.status, 429);
            assert.equal(r.headers["retry-after"], "0.2");
            assert.equal(r.json.error.code, "TooManyRequests");
            assert.equal(emu.imports.list().length, 0);
            assert.equal(emu.faults.pending(), 0);
            assert.equal(emu.stats().status429, 1);
            assert.equal((await importFor(user())).status, 200, "used up after one request");
        });

        it("applies a rule `times` times and honours method and custom code", async () => {
            emu.faults.add({
                route: "listSnapshotImportResults",
                method: "GET",
                status: 503,
                code: "ServiceUnavailable",
                retryAfter: "1",
                times: 2,
            });
            const a = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            const b = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            const c = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            assert.deepEqual([a.status, b.status, c.status], [503, 503, 200]);
            assert.equal(a.json.error.code, "ServiceUnavailable");
        });

        it("drop before: the connection resets and nothing happens", async () => {
            const u = user();
            emu.faults.add({ route: "POST importSnapshot", drop: "before" });
            await assert.rejects(importFor(u));
            assert.equal(emu.imports.byUser(u).length, 0);
        });

        it("drop after: the connection resets but the import happened", async () => {
            const u = user();
            emu.faults.add({ route: "POST importSnapshot", drop: "after" });
            await assert.rejects(importFor(u));
            assert.equal(emu.imports.byUser(u).length, 1);
            assert.equal((await importFor(u)).status, 409, "a blind retry hits the one-per-user rule");
        });

        it("delays responses", async () => {
            emu.faults.add({ route: "GET listSnapshotImportResults", delayMs: 400 });
            const started = Date.now();
            const r = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            assert.equal(r.status, 200);
            assert.ok(Date.now() - started >= 380, `took ${Date.now() - started}ms`);
        });

        it("sends 200 with a malformed or truncated JSON body after acting", async () => {
            emu.faults.add({ route: "POST importSnapshot", body: "malformed" });
            const u = user();
            const r = await importFor(u);
            assert.equal(r.status, 200);
            assert.throws(() => JSON.parse(r.text));
            assert.equal(emu.imports.byUser(u).length, 1);

            await importFor(user());
            emu.faults.add({ route: "listSnapshotImportResults", body: "truncated" });
            const t = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            assert.equal(t.status, 200);
            assert.ok(t.text.startsWith('{"@odata.context"'));
            assert.throws(() => JSON.parse(t.text));
        });

        it("loopNextLink: the nextLink points to the same page forever", async () => {
            await importFor(user());
            emu.faults.add({ route: "listSnapshotImportResults", loopNextLink: true });
            const first = (await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)).json;
            assert.ok(first["@odata.nextLink"]);
            let link: string = first["@odata.nextLink"];
            for (let i = 0; i < 3; i++) {
                const page = (await http("GET", link)).json;
                assert.equal(page["@odata.nextLink"], link);
                assert.deepEqual(page.value, first.value);
                link = page["@odata.nextLink"];
            }
        });

        it("leaves the token endpoint alone unless a rule names it", async () => {
            emu.faults.add({ status: 500 });
            await tokenFor(emu.clientId, emu.clientSecret);
            assert.equal(emu.faults.pending(), 1);
            emu.faults.clear();
            emu.faults.add({ route: "POST token", status: 503, retryAfter: "1" });
            const r = await http("POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
                token: null,
                form: { grant_type: "client_credentials" },
            });
            assert.equal(r.status, 503);
            assert.equal(r.headers["retry-after"], "1");
        });

        it("rejects malformed rules", () => {
            assert.throws(() => emu.faults.add({ times: 0 }), /times/);
            assert.throws(() => emu.faults.add({ status: 200 }), /status/);
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            assert.throws(() => emu.faults.add({ drop: "sideways" as any }), /drop/);
        });
    });

    describe("throttling", () => {
        it("answers 429 with Retry-After above the configured rate; the token endpoint is exempt", async () => {
            emu.setOptions({ rateLimit: { requestsPerSecond: 3, retryAfterSeconds: 2 } });
            const answers = await Promise.all(
                Array.from({ length: 8 }, () => http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)),
            );
            const throttled = answers.filter((a) => a.status === 429);
            assert.equal(answers.filter((a) => a.status === 200).length, 3);
            assert.equal(throttled.length, 5);
            assert.equal(throttled[0]!.headers["retry-after"], "2");
            assert.equal(throttled[0]!.json.error.code, "TooManyRequests");
            assert.equal(emu.stats().status429, 5);
            await tokenFor(emu.clientId, emu.clientSecret);
        });
    });

    describe("correlation headers, errors, routing", () => {
        it("sends request-id, client-request-id (echoed), Date and Content-Type", async () => {
            const mine = randomUUID();
            const r = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`, {
                headers: { "client-request-id": mine },
            });
            assert.match(String(r.headers["request-id"]), GUID);
            assert.equal(r.headers["client-request-id"], mine);
            assert.ok(r.headers["date"]);
            assert.match(String(r.headers["content-type"]), /^application\/json/);
            const fresh = await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`);
            assert.match(String(fresh.headers["client-request-id"]), GUID);
        });

        it("puts the ids in Graph's error body", async () => {
            const r = await http("GET", `${SNAPSHOTS}/noSuchFunction(x='1')`);
            assert.equal(r.status, 404);
            assert.deepEqual(Object.keys(r.json), ["error"]);
            assert.equal(r.json.error.code, "ResourceNotFound");
            assert.equal(r.json.error.message, "Resource not found.");
            assert.equal(r.json.error.innerError["request-id"], r.headers["request-id"]);
            assert.equal(r.json.error.innerError["client-request-id"], r.headers["client-request-id"]);
            assert.match(r.json.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
        });

        it("answers 405 for a wrong method and 400 for an unknown version", async () => {
            const m = await http("GET", `${SNAPSHOTS}/importSnapshot`);
            assert.equal(m.status, 405);
            assert.equal(m.headers["allow"], "POST");
            const v = await http("GET", "/v9.9/deviceManagement");
            assert.equal(v.status, 400);
            assert.match(v.json.error.message, /Invalid version/);
        });
    });

    describe("stats", () => {
        it("counts by route, writes and totals; resetStats() zeroes them", async () => {
            const id = (await importFor(user())).json.snapshotId;
            await retrieveOne(id);
            await retrieveOne(id);
            await http("POST", `${SNAPSHOTS}/purgeImportedSnapshot`, { body: { snapshotIds: [id] } });
            await tokenFor(emu.clientId, emu.clientSecret);
            const s = emu.stats();
            assert.equal(s.byRoute["POST importSnapshot"], 1);
            assert.equal(s.byRoute["GET retrieveSnapshotImportResult"], 2);
            assert.equal(s.byRoute["POST purgeImportedSnapshot"], 1);
            assert.equal(s.byRoute["POST token"], 1);
            assert.equal(s.writes, 2);
            assert.equal(s.total, 5);
            assert.equal(s.itemsReturned, 2);
            assert.deepEqual(s.byTenant, { [emu.tenantId]: 4 }, "the Graph requests its tokens let in");
            emu.resetStats();
            assert.deepEqual(emu.stats(), {
                total: 0,
                httpRequests: 0,
                batchedItems: 0,
                byRoute: {},
                writes: 0,
                status429: 0,
                itemsReturned: 0,
                byTenant: {},
            });
        });
    });

    describe("restore points and the other snapshot routes (E4-E9)", () => {
        it("createSnapshot answers 204 and the manual restore point appears later in retrieveSnapshots, /snapshots and by id", async () => {
            const listedFor = async (pc: string): Promise<CloudPcSnapshot[]> =>
                (await http("GET", `/beta/deviceManagement/virtualEndpoint/cloudPCs/${pc}/retrieveSnapshots`)).json
                    .value;
            // Not listed before it is ready: one taking far longer than any pause of a loaded machine.
            const slow = randomUUID();
            emu.setOptions({ importDurationMs: 600_000 });
            assert.equal(
                (await http("POST", `/beta/deviceManagement/virtualEndpoint/cloudPCs/${slow}/createSnapshot`)).status,
                204,
            );
            assert.equal((await listedFor(slow)).length, 0, "not ready yet");
            const pc = randomUUID();
            emu.setOptions({ importDurationMs: 200 });
            const c = await http("POST", `/beta/deviceManagement/virtualEndpoint/cloudPCs/${pc}/createSnapshot`);
            assert.equal(c.status, 204);
            const listed = (): Promise<CloudPcSnapshot[]> => listedFor(pc);
            await sleep(250);
            const [point] = await listed();
            assert.ok(point);
            assert.match(point.id, new RegExp(`^CPC_${pc}_[0-9a-f-]{36}$`));
            assert.equal(point.snapshotType, "manual");
            assert.equal(point.status, "ready");
            const all = (await http("GET", `${SNAPSHOTS}?$filter=cloudPcId eq '${pc}'`)).json.value;
            assert.deepEqual(
                all.map((s: CloudPcSnapshot) => s.id),
                [point.id],
            );
            const one = await http("GET", `${SNAPSHOTS}/${point.id}?$select=id,status`);
            assert.deepEqual(Object.keys(one.json).sort(), ["@odata.context", "id", "status"]);
            assert.equal((await http("GET", `${SNAPSHOTS}/CPC_nope`)).status, 404);
        });

        it("serves getSubscriptions and getStorageAccounts", async () => {
            const subs = (await http("GET", `${SNAPSHOTS}/getSubscriptions`)).json;
            assert.equal(subs.value.length, 1);
            const sub = subs.value[0].subscriptionId;
            const accounts = (await http("GET", `${SNAPSHOTS}/getStorageAccounts(subscriptionId='${sub}')`)).json;
            assert.match(
                accounts.value[0].storageAccountId,
                new RegExp(`^/subscriptions/${sub}/resourceGroups/.+/providers/Microsoft\\.Storage/storageAccounts/`),
            );
            assert.equal(emu.stats().byRoute["GET getStorageAccounts"], 1);
        });
    });

    describe("HTTPS control routes", () => {
        it("drive faults, options, stats, imports and revocation without a token and without being counted", async () => {
            const ctl = (method: string, p: string, body?: unknown): Promise<Answer> =>
                http(method, `/_emulator/${p}`, { token: null, body });
            assert.equal(
                (await ctl("POST", "faults", { route: "POST importSnapshot", status: 503, retryAfter: "1" })).status,
                201,
            );
            assert.equal((await importFor(user())).status, 503);
            assert.equal((await ctl("POST", "options", { pageSize: 1 })).json.pageSize, 1);
            await importFor(user());
            await importFor(user());
            assert.ok((await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)).json["@odata.nextLink"]);
            const imports = (await ctl("GET", "imports")).json.value;
            assert.equal(imports.length, 2);
            assert.ok(imports[0].assignedUserId);
            assert.equal((await ctl("POST", "options", { port: 1 })).status, 400);
            await ctl("POST", "faults", { status: 500 });
            await ctl("POST", "faults/clear");
            assert.equal(emu.faults.pending(), 0);
            const stats = (await ctl("GET", "stats")).json;
            assert.equal(stats.byRoute["POST importSnapshot"], 3);
            assert.ok(!Object.keys(stats.byRoute).some((k) => k.includes("_emulator") || k.includes("stats")));
            assert.equal((await ctl("POST", "stats/reset")).status, 204);
            assert.equal(emu.stats().total, 0);
            assert.equal((await ctl("POST", "tokens/revoke")).status, 204);
            assert.equal((await http("GET", `${SNAPSHOTS}/listSnapshotImportResults`)).status, 401);
            token = await tokenFor(emu.clientId, emu.clientSecret);
        });
    });

    describe("lifecycle", () => {
        it("close() is prompt even with a delayed response in flight", async () => {
            const other = await startEmulator({ importDurationMs: 100 });
            const t = await (async () => {
                const r = await request(`${other.graphEndpoint}/${other.tenantId}/oauth2/v2.0/token`, {
                    method: "POST",
                    headers: { "content-type": "application/x-www-form-urlencoded" },
                    body: new URLSearchParams({
                        grant_type: "client_credentials",
                        client_id: other.clientId,
                        client_secret: other.clientSecret,
                        scope: `${other.graphEndpoint}/.default`,
                    }).toString(),
                    dispatcher: agent,
                });
                return ((await r.body.json()) as { access_token: string }).access_token;
            })();
            // A delay far beyond the test's timeout: close() resolving at all proves it did not wait for the answer
            // (no wall-clock bound that a loaded machine could break), and the delay's timer must not outlive it.
            other.faults.add({ delayMs: 600_000 });
            const pending = request(`${other.graphEndpoint}${SNAPSHOTS}/listSnapshotImportResults`, {
                headers: { authorization: `Bearer ${t}` },
                dispatcher: agent,
            }).catch((e: unknown) => e);
            await sleep(100);
            await other.close();
            assert.ok((await pending) instanceof Error, "the delayed request ends with the connection, unanswered");
        });

        it("ensureCertificates() reuses valid files and renews broken ones; the SAN covers localhost, 127.0.0.1 and ::1", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-certs-"));
            try {
                const a = ensureCertificates(dir);
                const ca = fs.readFileSync(a.caCertPath, "utf8");
                const again = ensureCertificates(dir);
                assert.equal(fs.readFileSync(again.caCertPath, "utf8"), ca, "reused");
                const leaf = new (require("node:crypto").X509Certificate)(fs.readFileSync(a.certPath));
                assert.match(leaf.subjectAltName, /DNS:localhost/);
                assert.match(leaf.subjectAltName, /IP Address:127\.0\.0\.1/);
                assert.match(leaf.subjectAltName, /IP Address:0:0:0:0:0:0:0:1/);
                assert.ok(!fs.existsSync(path.join(dir, "ca.key")), "the CA key is not kept");
                fs.writeFileSync(a.keyPath, "garbage");
                const renewed = ensureCertificates(dir);
                assert.notEqual(fs.readFileSync(renewed.caCertPath, "utf8"), ca, "renewed");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("runs standalone via scripts/emulator.sh: state file, control routes, clean exit on SIGTERM", async function () {
            this.timeout(60_000);
            const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "emu-cli-")), "state.json");
            const child = spawn(
                "bash",
                [
                    path.join(ROOT, "scripts/emulator.sh"),
                    "--port",
                    "0",
                    "--page-size",
                    "7",
                    "--quiet",
                    "--tenant",
                    "b0b0b0b0-1111-4222-8333-444455556666:c1c1c1c1-1111-4222-8333-444455556666:tenant-b-secret",
                    "--state-file",
                    stateFile,
                ],
                { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
            );
            let stdout = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", () => undefined);
            const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
            try {
                const deadline = Date.now() + 45_000;
                while (!fs.existsSync(stateFile) && Date.now() < deadline) await sleep(100);
                const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
                assert.match(state.CLOUDPC_GRAPH_ENDPOINT, /^https:\/\/127\.0\.0\.1:\d+$/);
                assert.match(stdout, new RegExp(`export CLOUDPC_GRAPH_ENDPOINT='${state.CLOUDPC_GRAPH_ENDPOINT}'`));
                assert.match(stdout, /export NODE_EXTRA_CA_CERTS=/);
                const options = await http("GET", `${state.CLOUDPC_GRAPH_ENDPOINT}/_emulator/options`, { token: null });
                assert.equal(options.json.pageSize, 7);
                const tenants = await http("GET", `${state.CLOUDPC_GRAPH_ENDPOINT}/_emulator/tenants`, { token: null });
                assert.deepEqual(
                    tenants.json.value.map((t: { tenantId: string }) => t.tenantId),
                    [state.AZURE_TENANT_ID, "b0b0b0b0-1111-4222-8333-444455556666"],
                );
                assert.match(stdout, /Tenant: +https:\/\/127\.0\.0\.1:\d+\/b0b0b0b0-1111-4222-8333-444455556666/);
            } finally {
                child.kill("SIGTERM");
            }
            assert.equal(await exited, 0);
            assert.ok(!fs.existsSync(stateFile), "state file removed on exit");
        });
    });
});
