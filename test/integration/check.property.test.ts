// Property-based tests (fast-check) of check() for CloudPcImportedSnapshot and CloudPcSnapshot: random and adversarial
// inputs always yield failures that name a real input path with a readable reason, never throw, never echo a SAS
// signature or an invisible character, and never reach Graph; valid generated inputs always pass.
//
// "Never reaches Graph" is checked, not assumed: the provider is configured with a Graph endpoint and authority on a
// local server that counts every connection, and the handlers' check() (what the provider process runs) is called.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { checkCloudPcSnapshot } from "../../provider/resources/cloud-pc-snapshot/check";
import { cloudPcSnapshotHandlers } from "../../provider/resources/cloud-pc-snapshot/handlers";
import { checkImportedSnapshot } from "../../provider/resources/imported-snapshot/check";
import { importedSnapshotHandlers } from "../../provider/resources/imported-snapshot/handlers";
import { resolveSettings } from "../../provider/config/settings";
import { ProviderRuntime } from "../../provider/runtime/runtime";
import type { ResourceHandlers } from "../../provider/resources/shared/handlers";
import {
    CLOUD_PC,
    IMPORTED,
    assertGoodFailures,
    brokenCloudPc,
    brokenImported,
    chaos,
    names,
    preview,
    validCloudPc,
    validImported,
} from "../harness/input-arbitraries";

const RUNS = Number(process.env.CLOUDPC_PROPERTY_RUNS ?? 300);

// ---- the tests ----------------------------------------------------------------------------------------------------

describe("check() properties (fast-check)", function () {
    this.timeout(120_000);
    let server: http.Server;
    let connections = 0;
    let runtime: ProviderRuntime;
    let importHandlers: ResourceHandlers;
    let cloudPcHandlers: ResourceHandlers;
    let requests = 0;

    before(async () => {
        server = http.createServer((_req, res) => {
            requests++;
            res.writeHead(500).end();
        });
        server.on("connection", () => connections++);
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // Graph and the authority on a local server that counts connections: check() must never get there.
        const config: Record<string, string> = {
            "cloudpc:tenantId": "7c3a9f1e-2b4d-4e8a-9f00-5d6c7b8a9e01",
            "cloudpc:clientId": "0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
            "cloudpc:clientSecret": "property-test-secret",
            "cloudpc:graphEndpoint": origin,
            "cloudpc:authorityHost": origin,
            "cloudpc:allowInsecureLoopback": "true",
        };
        runtime = new ProviderRuntime(resolveSettings({ get: (k: string) => config[k] }, {}));
        importHandlers = importedSnapshotHandlers(runtime);
        cloudPcHandlers = cloudPcSnapshotHandlers(runtime);
    });
    after(async () => {
        await runtime.close();
        await new Promise((r) => server.close(r));
    });
    afterEach(() => {
        assert.equal(connections, 0, "check() opened a connection to Graph or the authority");
        assert.equal(requests, 0);
    });

    const importCheck = async (input: Record<string, unknown>) => {
        const direct = checkImportedSnapshot(input);
        const viaHandler = await importHandlers.check({}, input);
        assert.deepEqual(viaHandler.failures, direct.failures);
        return direct;
    };
    const cloudPcCheck = async (input: Record<string, unknown>) => {
        const direct = checkCloudPcSnapshot(input);
        const viaHandler = await cloudPcHandlers.check({}, input);
        assert.deepEqual(viaHandler.failures, direct.failures);
        return direct;
    };

    describe("CloudPcImportedSnapshot", () => {
        it("passes every valid input, and passes its own output again", async () => {
            await fc.assert(
                fc.asyncProperty(validImported, async (input) => {
                    const r = await importCheck(input);
                    assert.deepEqual(r.failures, [], preview(input));
                    assert.deepEqual((await importCheck(r.inputs)).failures, []);
                }),
                { numRuns: RUNS },
            );
        });

        it("fails every broken input on the broken property, with a readable reason", async () => {
            await fc.assert(
                fc.asyncProperty(brokenImported, async ({ input, expect }) => {
                    const { failures } = await importCheck(input);
                    assert.ok(failures.length > 0, `no failure for ${preview(input)}`);
                    if (expect !== undefined)
                        assert.ok(
                            failures.some((f) => names(f.property, expect)),
                            `no failure on ${expect}: ${preview(failures)}`,
                        );
                    assertGoodFailures(input, failures, IMPORTED);
                }),
                { numRuns: RUNS * 2 },
            );
        });

        it("never throws on anything, and every failure is well formed", async () => {
            await fc.assert(
                fc.asyncProperty(chaos(IMPORTED), async (input) => {
                    const { failures } = await importCheck(input);
                    assertGoodFailures(input, failures, IMPORTED);
                }),
                { numRuns: RUNS },
            );
        });
    });

    describe("CloudPcSnapshot", () => {
        it("passes every valid input", async () => {
            await fc.assert(
                fc.asyncProperty(validCloudPc, async (input) => {
                    assert.deepEqual((await cloudPcCheck(input)).failures, [], preview(input));
                }),
                { numRuns: RUNS },
            );
        });

        it("fails every broken input on the broken property, with a readable reason", async () => {
            await fc.assert(
                fc.asyncProperty(brokenCloudPc, async ({ input, expect }) => {
                    const { failures } = await cloudPcCheck(input);
                    assert.ok(failures.length > 0, `no failure for ${preview(input)}`);
                    if (expect !== undefined)
                        assert.ok(
                            failures.some((f) => names(f.property, expect)),
                            `no failure on ${expect}: ${preview(failures)}`,
                        );
                    assertGoodFailures(input, failures, CLOUD_PC);
                }),
                { numRuns: RUNS },
            );
        });

        it("never throws on anything, and every failure is well formed", async () => {
            await fc.assert(
                fc.asyncProperty(chaos(CLOUD_PC), async (input) => {
                    assertGoodFailures(input, (await cloudPcCheck(input)).failures, CLOUD_PC);
                }),
                { numRuns: RUNS },
            );
        });
    });
});
