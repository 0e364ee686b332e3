// The provider runtime (provider/runtime/): one per settings in a process, what configure() picks for the calls
// that follow, and the secrets of its settings kept out of what it says.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { redactingCredential } from "../../provider/config/redacting-credential";
import { resolveSettings } from "../../provider/config/settings";
import { GraphClient } from "../../provider/graph/client";
import { GraphAuthenticationError } from "../../provider/graph/errors";
import { RecordingProgress } from "../../provider/runtime/progress";
import { RuntimeRegistry } from "../../provider/runtime/registry";
import { pollSettings, ProviderRuntime } from "../../provider/runtime/runtime";
import { Redactor } from "../../provider/util/redact";

const IDS = { AZURE_TENANT_ID: "contoso.onmicrosoft.com", AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001" };
const SECRET = "super-secret-value-123";

describe("provider runtime", () => {
    it("is one per settings: equal settings share it and its Graph client, others get their own", async () => {
        const registry = new RuntimeRegistry();
        try {
            const env = { ...IDS, AZURE_CLIENT_SECRET: "secret-abcdef" };
            const a = registry.forSettings(resolveSettings(undefined, env));
            const b = registry.forSettings(resolveSettings(undefined, { ...env }));
            const other = registry.forSettings(resolveSettings(undefined, { ...env, ARM_ENVIRONMENT: "usgov" }));
            assert.equal(a, b);
            assert.equal(a.graph, b.graph);
            assert.notEqual(a, other);
            assert.equal(other.graph.endpoint.origin, "https://graph.microsoft.us");
        } finally {
            await registry.closeAll();
        }
    });

    it("configure() picks the runtime of the stack config, and every configure with that config the same one", () => {
        const registry = new RuntimeRegistry();
        const config = {
            get: (k: string) => ({ "cloudpc:tenantId": IDS.AZURE_TENANT_ID, "cloudpc:pollIntervalSeconds": "0.5" })[k],
        };
        const first = registry.configure(config, {});
        assert.equal(registry.configure(config, {}), first, "old and new provider text of one stack share a runtime");
        assert.equal(registry.active(), first);
        assert.equal(first.settings.tenantId, IDS.AZURE_TENANT_ID);
        assert.deepEqual(first.poll, { initialMs: 500, maxMs: 5_000 });
    });

    it("polls from pollIntervalSeconds: by default from 2 s up to 30 s", () => {
        assert.deepEqual(pollSettings({ pollIntervalSeconds: 2 }), { initialMs: 2_000, maxMs: 30_000 });
        assert.deepEqual(pollSettings({ pollIntervalSeconds: 0.1 }), { initialMs: 100, maxMs: 1_000 });
        assert.deepEqual(pollSettings({ pollIntervalSeconds: 60 }), { initialMs: 60_000, maxMs: 60_000 });
    });

    it("keeps the secrets of its settings out of its progress lines", () => {
        const progress = new RecordingProgress();
        const runtime = new ProviderRuntime(resolveSettings(undefined, { ...IDS, AZURE_CLIENT_SECRET: SECRET }), {
            progress,
        });
        runtime.progress.warn(`token request said: invalid client secret ${SECRET} (${encodeURIComponent(SECRET)})`);
        assert.deepEqual(progress.lines, ["warn: token request said: invalid client secret REDACTED (REDACTED)"]);
    });

    it("a credential failure reaches the Graph client without the secret it quoted", async () => {
        let requests = 0;
        const server = http.createServer((_req, res) => {
            requests++;
            res.end("{}");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const redactor = new Redactor();
        redactor.register(SECRET);
        const client = new GraphClient({
            graphEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            scope: "x/.default",
            allowInsecureLoopback: true,
            credential: redactingCredential(
                {
                    getToken: async () => {
                        throw new Error(`AADSTS7000215: Invalid client secret provided: ${SECRET}`);
                    },
                },
                redactor,
            ),
        });
        try {
            const err = await client.request({ method: "GET", path: "/t", operation: "t" }).then(
                () => undefined,
                (e: unknown) => e,
            );
            assert.ok(err instanceof GraphAuthenticationError, String(err));
            assert.doesNotMatch(err.message, new RegExp(SECRET));
            assert.match(err.message, /AADSTS7000215/);
            assert.equal(requests, 0);
        } finally {
            await client.close();
            await new Promise((r) => server.close(r));
        }
    });
});
