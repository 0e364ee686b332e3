// The fleet example's file → resource args mapping (examples/fleet/fleet.ts): pure, so a unit test. The same file
// through the engine-level harness and the real CLI: test/integration/examples.test.ts, test/e2e/e2e-fleet.test.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { FleetFileError, fleetImports } from "../../examples/fleet/fleet";
import { OTHER_USER, STORAGE_ACCOUNT_ID, USER } from "../fixtures";

const EXAMPLES = path.join(path.resolve(__dirname, "../.."), "examples");

function fleetFile(users: Record<string, string>): string {
    return [
        "# test fleet",
        `storageAccountId: ${STORAGE_ACCOUNT_ID}`,
        "containerName: vhds",
        "users:",
        ...Object.entries(users).map(([user, blob]) => `  ${user}: ${blob}   # a comment`),
        "",
    ].join("\n");
}

describe("examples: fleet file → resource args (examples/fleet/fleet.ts)", () => {
    it("maps the checked-in fleet.yaml to one import per user, named after the user", () => {
        const imports = fleetImports(fs.readFileSync(path.join(EXAMPLES, "fleet", "fleet.yaml"), "utf8"));
        assert.deepEqual(
            imports.map((i) => i.name),
            [USER, OTHER_USER],
        );
        assert.deepEqual(imports[0]!.args, {
            assignedUserId: USER,
            sourceFiles: [
                {
                    storageBlobInfo: {
                        storageAccountId: STORAGE_ACCOUNT_ID,
                        containerName: "vhds",
                        fileName: "alice-os.vhd",
                    },
                },
            ],
        });
    });

    it("normalises the user id's case, so re-typing a line in capitals is no replacement", () => {
        const [upper] = fleetImports(fleetFile({ [USER.toUpperCase()]: "a.vhd" }));
        assert.equal(upper!.name, USER);
        assert.equal(upper!.args.assignedUserId, USER);
    });

    it("an empty fleet is explicit; a missing or misspelt `users` key is an error, never a purge of everything", () => {
        assert.deepEqual(fleetImports(`storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\nusers: {}\n`), []);
        assert.throws(
            () => fleetImports(`storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\n`),
            /no 'users' key/,
        );
        assert.throws(
            () =>
                fleetImports(`storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\nuser:\n  ${USER}: a.vhd\n`),
            (e: Error) => e instanceof FleetFileError && /fleet\.yaml:3: unknown key 'user'/.test(e.message),
        );
    });

    it("names the file and line of a bad user id, a duplicate user or a missing blob", () => {
        assert.throws(
            () => fleetImports(fleetFile({ alice: "a.vhd" }), "prod.yaml"),
            /^Error: prod\.yaml:5: 'alice' is not a user object id/,
        );
        assert.throws(
            () => fleetImports(fleetFile({ [USER]: "a.vhd", [USER.toUpperCase()]: "b.vhd" })),
            /fleet\.yaml:6: user .* already listed at fleet\.yaml:5/,
        );
        assert.throws(
            () => fleetImports(`${fleetFile({ [USER]: "a.vhd" })}  ${USER}: b.vhd\n`),
            /fleet\.yaml:6: Map keys must be unique$/,
        );
        assert.throws(() => fleetImports(fleetFile({ [USER]: "" })), /fleet\.yaml:5: user .* needs a blob name/);
    });
});

describe("examples: fleet.yaml adopts an existing import (adoptSnapshotId per user)", () => {
    const ADOPT = "0F3C1A52-9D4E-4B8A-A1C2-3D4E5F607182";
    const withUsers = (users: string) =>
        `storageAccountId: ${STORAGE_ACCOUNT_ID}\ncontainerName: vhds\nusers:\n${users}`;

    it("a user's line may be a mapping with blob and adoptSnapshotId; the plain form is unchanged", () => {
        const imports = fleetImports(
            withUsers(
                `  ${USER}: alice-os.vhd\n  ${OTHER_USER}:\n    blob: bob-os.vhd\n    adoptSnapshotId: ${ADOPT}\n`,
            ),
        );
        assert.deepEqual(
            imports.map((i) => i.args),
            [
                {
                    assignedUserId: USER,
                    sourceFiles: [
                        {
                            storageBlobInfo: {
                                storageAccountId: STORAGE_ACCOUNT_ID,
                                containerName: "vhds",
                                fileName: "alice-os.vhd",
                            },
                        },
                    ],
                },
                {
                    assignedUserId: OTHER_USER,
                    sourceFiles: [
                        {
                            storageBlobInfo: {
                                storageAccountId: STORAGE_ACCOUNT_ID,
                                containerName: "vhds",
                                fileName: "bob-os.vhd",
                            },
                        },
                    ],
                    adoptSnapshotId: ADOPT.toLowerCase(),
                },
            ],
        );
        // The mapping without adoptSnapshotId is the plain form.
        assert.deepEqual(
            fleetImports(withUsers(`  ${USER}:\n    blob: alice-os.vhd\n`)),
            fleetImports(withUsers(`  ${USER}: alice-os.vhd\n`)),
        );
    });

    it("names the file and line of a bad adoptSnapshotId, an unknown key or a missing blob", () => {
        assert.throws(
            () => fleetImports(withUsers(`  ${USER}:\n    blob: a.vhd\n    adoptSnapshotId: nope\n`)),
            /^Error: fleet\.yaml:6: user .*: adoptSnapshotId 'nope' is not a snapshotId/,
        );
        assert.throws(
            () => fleetImports(withUsers(`  ${USER}:\n    blob: a.vhd\n    adopt: ${ADOPT}\n`)),
            /fleet\.yaml:6: unknown key 'adopt' for user .* \(expected blob, adoptSnapshotId\)/,
        );
        assert.throws(
            () => fleetImports(withUsers(`  ${USER}:\n    adoptSnapshotId: ${ADOPT}\n`)),
            /fleet\.yaml:5: user .* needs a blob name/,
        );
    });
});
