"use strict";
// Runs this directory's Pulumi program (index.js) through the Automation API as an *inline* program: the SDK
// serves the language runtime itself and passes `--client` to the CLI, so no pulumi-language-nodejs is needed.
// Usage: node automation.js up|destroy   (PULUMI_BACKEND_URL / PULUMI_CONFIG_PASSPHRASE from local-env.sh)
const { parseArgs } = require("node:util");
const { LocalWorkspace } = require("@pulumi/pulumi/automation");

async function main(cmd) {
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "dev", projectName: "pulumi-smoke", program: async () => require("./index.js") },
        { workDir: __dirname },
    );
    const onOutput = (s) => process.stdout.write(s);
    if (cmd === "up") {
        const res = await stack.up({ onOutput });
        console.log("summary:", JSON.stringify(res.summary.resourceChanges), "outputs:", JSON.stringify(res.outputs));
    } else if (cmd === "destroy") {
        const res = await stack.destroy({ onOutput });
        console.log("summary:", JSON.stringify(res.summary.resourceChanges));
    } else {
        throw new Error(`usage: node automation.js up|destroy (got ${cmd})`);
    }
}
let command;
try {
    // No flags are known: an unknown one is an error rather than silently ignored.
    const { positionals } = parseArgs({ args: process.argv.slice(2), options: {}, allowPositionals: true });
    if (positionals.length !== 1) throw new Error(`expected one command, got ${positionals.length}`);
    command = positionals[0];
} catch (e) {
    console.error(`${e.message}\nusage: node automation.js up|destroy`);
    process.exit(2);
}
main(command).catch((e) => {
    console.error(e);
    process.exit(1);
});
