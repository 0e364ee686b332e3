// Preloaded (NODE_OPTIONS=--require) into a dynamic-provider process by test/integration/engine-watch.test.ts:
// the provider checks its engine every 100 ms instead of every 5 s. Sets the option on the registry of the
// provider's own sources (the process runs this repository's TypeScript, as provider-handlers.js picks it).
"use strict";
const path = require("node:path");

require(path.join(__dirname, "..", "..", "scripts", "pulumi", "ts-on-demand.js"));
const { runtimes } = require(path.join(__dirname, "..", "..", "provider", "runtime", "registry.ts"));
runtimes.options = { ...runtimes.options, engineCheckIntervalMs: 100 };
