// @ts-check
// Lint: ESLint's and typescript-eslint's recommended rules for every TypeScript file (library, emulator, tests,
// scripts, examples), plus three type-aware rules about promises, which matter in a provider that talks to Graph
// asynchronously: a promise nobody awaits loses its error. Run by scripts/lint.sh (and so by scripts/test.sh).
// Every rule turned off or relaxed below says why.
import eslint from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    globalIgnores(["dist/", ".tools/", ".state/", ".emulator/", "**/node_modules/"]),
    {
        files: ["**/*.ts"],
        extends: [eslint.configs.recommended, tseslint.configs.recommended],
        languageOptions: {
            // Type information for the promise rules. Each example has its own tsconfig.json (it is a Pulumi
            // project of its own); the project service finds the nearest one for every file.
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        // Not reported: test/integration/emulator.test.ts carries `eslint-disable` comments for no-explicit-any, which this
        // config turns off in tests (see below); they are harmless.
        linterOptions: { reportUnusedDisableDirectives: "off" },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
            // Off: require() is this codebase's design, not an accident. Dynamic providers are serialized into
            // state and load their implementation with a lazy require() on first use (runtime/lazy-provider.ts);
            // @pulumi/pulumi's gRPC/protobuf stubs ship without type declarations and are loaded with require().
            "@typescript-eslint/no-require-imports": "off",
            // Off: errors are rewritten on purpose before they reach Pulumi (secrets redacted by util/redact.ts,
            // Graph's request ids added). Attaching the original as `cause` would carry unredacted text (SAS
            // signatures, tokens) into the engine's logs.
            "preserve-caught-error": "off",
            // Off: tsc's noFallthroughCasesInSwitch (tsconfig.json) checks the same thing with types, and knows
            // that a case ending in process.exit() does not fall through; the untyped rule does not.
            "no-fallthrough": "off",
            // Relaxed: a variable that a callback defined before its single assignment reads (the HTTPS server's
            // handler, a signal handler) cannot be const.
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
            // A leading underscore marks a binding unused on purpose (e.g. properties left out of a rest object).
            "@typescript-eslint/no-unused-vars": [
                "error",
                {
                    argsIgnorePattern: "^_",
                    varsIgnorePattern: "^_",
                    caughtErrorsIgnorePattern: "^_",
                    destructuredArrayIgnorePattern: "^_",
                },
            ],
        },
    },
    {
        // Off in validators: they reject control characters in names and URLs, so their patterns must match them.
        files: ["provider/validation/**/*.ts"],
        rules: { "no-control-regex": "off" },
    },
    {
        // Off for dynamic-provider classes: the class's constructor returns one shared plain object of arrow
        // functions (Pulumi serializes it at a fraction of a class instance's size), and an interface merged with
        // the class gives that object the ResourceProvider type.
        files: ["provider/resources/*/provider.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-declaration-merging": "off",
            "@typescript-eslint/no-empty-object-type": "off",
        },
    },
    {
        // Off in tests and dev scripts: they drive @pulumi/pulumi's untyped gRPC stubs and feed deliberately
        // malformed values to the provider. The library, the emulator and the examples keep the rule.
        files: ["test/**/*.ts", "scripts/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
