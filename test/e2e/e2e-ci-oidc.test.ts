// Signing in as CI pipelines do, through the REAL Pulumi CLI (Automation API, inline program, a local backend)
// against the emulator's authority, with no secret and no token file: the environment a GitHub Actions job with
// `id-token: write` has, then the one an Azure DevOps AzureCLI@2 step that maps SYSTEM_ACCESSTOKEN has. The CI's
// ID-token endpoint is a local HTTPS stand-in (test/harness/ci-id-token-endpoint.ts) whose tokens expire within two
// seconds; the emulator's access tokens live one second. The import runs for seconds, so it must outlive its first
// ID token: the endpoint has to be asked again after that token's `exp`. The request token / System.AccessToken
// never reaches the CLI's output, its events or the stack's state.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { startEmulator, type Emulator } from "../../emulator";
import { testStack } from "../harness/e2e-stack";
import { startCiIdTokenEndpoint, type CiIdTokenEndpoint, type CiIdTokenOptions } from "../harness/ci-id-token-endpoint";
import { importsProgram } from "../harness/inline-program";
import { inputs, OTHER_USER, USER } from "../fixtures";

const PROJECT = "cloudpc-e2e-ci-oidc";
const GITHUB_CLIENT = "7f3e2d1c-0b9a-4876-a5b4-c3d2e1f0a9b8";
const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const ADO_CLIENT = "5d2c4b6a-8e1f-4a3b-9c7d-2e4f6a8b0c1d";
const ADO_ISSUER = "https://vstoken.dev.azure.com/6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const SERVICE_CONNECTION = "0e3c1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
/** No secret and no token file, whatever the machine running the tests has in its environment. */
const NO_SECRET_NOR_FILE = {
    ARM_CLIENT_SECRET: "",
    AZURE_CLIENT_CERTIFICATE_PATH: "",
    ARM_CLIENT_CERTIFICATE_PATH: "",
    ARM_OIDC_TOKEN: "",
    AZURE_FEDERATED_TOKEN_FILE: "",
    ARM_OIDC_TOKEN_FILE_PATH: "",
};
/** ID tokens expire this soon; the import takes several times as long. */
const ID_TOKEN_SECONDS = 2;

interface Case {
    name: string;
    endpoint: Omit<CiIdTokenOptions, "requestToken" | "lifetimeSeconds">;
    /** What the CI system and the pipeline file put in the step's environment (the CLI, hence the provider). */
    env(endpoint: CiIdTokenEndpoint, requestToken: string, tenantId: string): Record<string, string>;
    /** The provider's note of how it signs in (once per process, without values). */
    signIn: RegExp;
    /** Whose import (one per case: Graph allows one per user). */
    user: string;
    /** The method and query every ID-token request must carry. */
    request: { method: string; query: Record<string, string> };
}

const CASES: Case[] = [
    {
        name: "GitHub Actions (ARM_USE_OIDC, the app's ids, the runner's request URL and token)",
        endpoint: { dialect: "github", issuer: GITHUB_ISSUER, subject: "repo:contoso/cloudpc:environment:production" },
        env: (endpoint, requestToken, tenantId) => ({
            ARM_USE_OIDC: "true",
            ARM_CLIENT_ID: GITHUB_CLIENT,
            ARM_TENANT_ID: tenantId,
            ACTIONS_ID_TOKEN_REQUEST_URL: endpoint.url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
        }),
        signIn: /signing in with workload identity federation \(OIDC\): useOidc from env ARM_USE_OIDC, oidcRequestUrl from env ACTIONS_ID_TOKEN_REQUEST_URL, oidcRequestToken from env ACTIONS_ID_TOKEN_REQUEST_TOKEN,/,
        user: USER,
        request: { method: "GET", query: { "api-version": "2.0", audience: "api://AzureADTokenExchange" } },
    },
    {
        name: "Azure DevOps (an AzureCLI@2 step with the service connection, mapping SYSTEM_ACCESSTOKEN)",
        endpoint: {
            dialect: "azurePipelines",
            issuer: ADO_ISSUER,
            subject: "sc://contoso/cloudpc/prod-arm",
            serviceConnectionId: SERVICE_CONNECTION,
        },
        env: (endpoint, requestToken, tenantId) => ({
            ARM_USE_OIDC: "true",
            AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: SERVICE_CONNECTION,
            AZURESUBSCRIPTION_CLIENT_ID: ADO_CLIENT,
            AZURESUBSCRIPTION_TENANT_ID: tenantId,
            SYSTEM_OIDCREQUESTURI: endpoint.url,
            SYSTEM_ACCESSTOKEN: requestToken,
        }),
        signIn: /signing in with an Azure DevOps service connection \(workload identity federation\): useOidc from env ARM_USE_OIDC, adoServiceConnectionId from env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, adoSystemAccessToken from env SYSTEM_ACCESSTOKEN,/,
        user: OTHER_USER,
        request: { method: "POST", query: { "api-version": "7.1", serviceConnectionId: SERVICE_CONNECTION } },
    },
];

describe("e2e: CI sign-in without a secret or token file, across ID-token expiry (real Pulumi CLI)", function () {
    this.timeout(240_000);
    let emulator: Emulator;
    const cleanups: (() => Promise<void>)[] = [];

    before(async () => {
        emulator = await startEmulator({
            importDurationMs: 6_000,
            tokenLifetimeSeconds: 1,
            clients: [
                { clientId: GITHUB_CLIENT, federatedIssuer: GITHUB_ISSUER },
                { clientId: ADO_CLIENT, federatedIssuer: ADO_ISSUER },
            ],
        });
    });

    after(async () => {
        try {
            for (const cleanup of cleanups.reverse()) await cleanup();
        } finally {
            await emulator?.close();
        }
    });

    for (const c of CASES) {
        it(`${c.name}: one import outlives its first ID token`, async () => {
            const requestToken = `CanaryCiToken${randomBytes(12).toString("hex")}`;
            const endpoint = await startCiIdTokenEndpoint({
                ...c.endpoint,
                requestToken,
                lifetimeSeconds: ID_TOKEN_SECONDS,
            });
            cleanups.push(() => endpoint.close());
            // Where Graph and Entra are in stack config; how to sign in only in the environment, as in CI.
            const test = await testStack({
                project: PROJECT,
                stack: c.endpoint.dialect,
                target: emulator,
                env: { ...NO_SECRET_NOR_FILE, ...c.env(endpoint, requestToken, emulator.tenantId) },
                signInFromEnv: true,
            });
            cleanups.push(() => test.dispose());
            const stack = test.stack;
            let output = "";
            const events: EngineEvent[] = [];
            const up = await stack.up({
                program: importsProgram({ ci: inputs({ assignedUserId: c.user }) }),
                onOutput: (s) => (output += s),
                onEvent: (e) => events.push(e),
            });
            assert.equal(up.summary.result, "succeeded", output);
            assert.match(output, c.signIn);
            assert.match(String(up.outputs.ci?.value), /^[0-9a-f-]{36}$/, "no snapshotId");
            assert.deepEqual(
                emulator.imports.list().map((i) => i.assignedUserId),
                [c.user],
            );

            // Asked at least twice, and again after the first ID token had expired.
            assert.ok(
                endpoint.requests.length >= 2,
                `the ID-token endpoint was asked ${endpoint.requests.length} time(s)`,
            );
            const firstExpiry = endpoint.issued[0]!.exp * 1000;
            assert.ok(
                endpoint.requests.some((r) => r.at >= firstExpiry),
                `no ID token was asked for after the first one expired (${new Date(firstExpiry).toISOString()}; ` +
                    `requests at ${endpoint.requests.map((r) => new Date(r.at).toISOString()).join(", ")})`,
            );
            for (const r of endpoint.requests) {
                assert.deepEqual(
                    [r.method, r.authorization, r.query],
                    [c.request.method, `Bearer ${requestToken}`, c.request.query],
                );
            }
            assert.ok(emulator.issuedTokens().length >= 2, "the import did not outlive its first access token");

            const state = JSON.stringify(await stack.exportStack());
            for (const [where, text] of [
                ["the CLI's output", output],
                ["the engine's events", JSON.stringify(events)],
                ["the stack's state", state],
            ] as const) {
                assert.ok(!text.includes(requestToken), `the request token reached ${where}`);
            }
            assert.ok(!/clientSecret|oidcToken/.test(state), "a sign-in secret setting is in the state");

            await stack.destroy();
            assert.equal(emulator.imports.list().length, 0, "destroy did not purge the import");
        });
    }
});
