// @cloudpc/pulumi-snapshots/provider-handlers: what the providers serialized into Pulumi state require, by the
// package's name, resolved from the project directory (provider/runtime/lazy-provider.ts). The published package
// runs its compiled JavaScript; this repository, run from its sources, its TypeScript (the provider process
// preloads scripts/pulumi/ts-on-demand.js, the tests register ts-node). Only the sources' presence decides.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const source = path.join(__dirname, "provider", "handlers.ts");
module.exports = fs.existsSync(source) ? require(source) : require("./dist/provider/handlers.js");
