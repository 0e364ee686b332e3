// Emulator options: public types, defaults, and validation of run-time changes (setOptions and POST /_emulator/options).
import { createHash, X509Certificate } from "node:crypto";
import * as path from "node:path";
import { defaultCertDir } from "./certs";
import { isGuid } from "./http";
import { STORAGE_ACCOUNT_ID_RE } from "./import-request";
import { type EmulatorStorageAccount, type EmulatorSubscription, defaultSubscriptions } from "./subscriptions";
import { isRecord } from "./tokens";

export const IMPORT_RESULT_FUNCTIONS = [
    "retrieveSnapshotImportResult",
    "retrieveSnapshotImportResults",
    "listSnapshotImportResults",
] as const;
export type ImportResultFunction = (typeof IMPORT_RESULT_FUNCTIONS)[number];

/**
 * Which sources' names Graph serves (docs/GRAPH-FIDELITY.md). `metadata`: only what the beta metadata declares
 * (the plural function); `docs` adds the docs page's singular; `seed` adds the seed's tenant-wide list.
 */
export const DIALECTS = ["metadata", "docs", "seed"] as const;
export type Dialect = (typeof DIALECTS)[number];
export const DIALECT_FUNCTIONS: Record<Dialect, readonly ImportResultFunction[]> = {
    metadata: ["retrieveSnapshotImportResults"],
    docs: ["retrieveSnapshotImportResults", "retrieveSnapshotImportResult"],
    seed: IMPORT_RESULT_FUNCTIONS,
};
/** What the plural answers for an id it has no record of: undocumented, so both plausible answers are offered. */
export const UNKNOWN_ID_ANSWERS = ["empty", "notFound"] as const;
export type UnknownIdAnswer = (typeof UNKNOWN_ID_ANSWERS)[number];

/**
 * Routes that read restore points, oldest last (contract E8, E6, E7). A disabled one answers like Graph for a
 * segment it does not know, so the client's fallback can be tested on each path.
 */
export const SNAPSHOT_LIST_ROUTES = ["retrieveSnapshots", "listSnapshots", "getSnapshot"] as const;
export type SnapshotListRoute = (typeof SNAPSHOT_LIST_ROUTES)[number];

export const ROLE_READ = "CloudPC.Read.All";
export const ROLE_READ_WRITE = "CloudPC.ReadWrite.All";
/** Reading a user's UPN (GET /users/{id}); the least-privileged application permission for it. */
export const ROLE_USER_READ = "User.ReadBasic.All";

export interface EmulatorClient {
    clientId: string;
    clientSecret?: string;
    /** Public certificate (PEM) for the client-assertion grant (ClientCertificateCredential). */
    certificatePem?: string;
    /** Accept workload-identity (federated) assertions from this issuer. Their signature is NOT checked. */
    federatedIssuer?: string;
    /** App roles put in the token; default ["CloudPC.ReadWrite.All", "User.ReadBasic.All"]. */
    roles?: string[];
}

export interface EmulatorUser {
    id: string;
    userPrincipalName?: string;
    /** Default true. false makes imports for this user fail (no provisioning policy assigned). */
    hasProvisioningPolicy?: boolean;
    /** Default "Emulator_ProvisioningPolicy". */
    policyName?: string;
}

/**
 * A tenant besides the first (`tenantId`): its own app registrations (token endpoint `/{tenantId}/oauth2/v2.0/token`)
 * and its own users, Cloud PCs and imports, all behind the same Graph endpoint: as in Graph, the access token's `tid`
 * picks the tenant whose data a request sees.
 */
export interface EmulatorTenantOptions {
    tenantId: string;
    /** Its app registrations (at least one); the same client id as another tenant's is allowed (a multi-tenant app). */
    clients: EmulatorClient[];
    users?: EmulatorUser[];
}

export interface RateLimit {
    requestsPerSecond: number;
    /** Retry-After seconds on throttled answers; default 1. */
    retryAfterSeconds?: number;
}

export interface EmulatorOptions {
    host?: string;
    port?: number;
    certDir?: string;
    /** The first tenant (default DEFAULT_TENANT_ID): `clients` and `users` are its. */
    tenantId?: string;
    /** More tenants in the same emulator (fixed at start). */
    tenants?: EmulatorTenantOptions[];
    clients?: EmulatorClient[];
    tokenLifetimeSeconds?: number;
    importDurationMs?: number;
    pageSize?: number;
    /** Default: CLOUDPC_EMULATOR_DIALECT, else `metadata`. Sets importResultFunctions unless that is given too. */
    dialect?: Dialect;
    /** Default: CLOUDPC_EMULATOR_UNKNOWN_ID, else `empty` (an empty collection). */
    unknownIdAnswer?: UnknownIdAnswer;
    importResultFunctions?: ImportResultFunction[];
    /** Restore-point read routes the service offers (default: all). */
    snapshotListRoutes?: SnapshotListRoute[];
    /** How long a restore point takes to become ready after createSnapshot (default, or null: importDurationMs). */
    snapshotDurationMs?: number | null;
    /** List restore points that are not ready yet with this status (default null: hidden until ready). */
    pendingSnapshotStatus?: string | null;
    /** Days until a manual restore point expires (default 30; null: never). Undocumented by Graph. */
    snapshotRetentionDays?: number | null;
    /** What getSubscriptions / getStorageAccounts offer (default: one subscription with one storage account). */
    subscriptions?: EmulatorSubscription[];
    users?: EmulatorUser[];
    rateLimit?: RateLimit;
    log?: (line: string) => void;
}

export const DEFAULT_TENANT_ID = "7c3a9f1e-2b4d-4e8a-9f00-5d6c7b8a9e01";
export const DEFAULT_CLIENT_ID = "0d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
export const DEFAULT_CLIENT_SECRET = "emulator-client-secret";
export const DEFAULT_POLICY_NAME = "Emulator_ProvisioningPolicy";

/** Settings fixed for the life of a server. */
export interface FixedSettings {
    host: string;
    port: number;
    certDir: string;
    tenantId: string;
    /** The tenants besides tenantId's. */
    tenants: TenantSettings[];
}

/** A tenant besides the first, as validated. */
export interface TenantSettings {
    tenantId: string;
    clients: EmulatorClient[];
    /** keyed by lower-cased object id */
    users: Map<string, EmulatorUser>;
}

/** Settings that may change while running. */
export interface RuntimeSettings {
    clients: EmulatorClient[];
    tokenLifetimeSeconds: number;
    importDurationMs: number;
    pageSize: number;
    dialect: Dialect;
    unknownIdAnswer: UnknownIdAnswer;
    importResultFunctions: Set<ImportResultFunction>;
    snapshotListRoutes: Set<SnapshotListRoute>;
    /** undefined: follow importDurationMs */
    snapshotDurationMs: number | undefined;
    pendingSnapshotStatus: string | null;
    snapshotRetentionDays: number | null;
    subscriptions: EmulatorSubscription[];
    /** keyed by lower-cased object id */
    users: Map<string, EmulatorUser>;
    rateLimit: RateLimit | undefined;
    log: ((line: string) => void) | undefined;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        throw new TypeError(`${name} must be one of ${allowed.join(", ")}, got '${String(value)}'`);
    }
    return value as T;
}

/** The dialect and unknown-id answer the environment asks for (users' own CI sets these for the standalone emulator). */
export function dialectFromEnv(
    env: NodeJS.ProcessEnv = process.env,
): Pick<EmulatorOptions, "dialect" | "unknownIdAnswer"> {
    const out: Pick<EmulatorOptions, "dialect" | "unknownIdAnswer"> = {};
    if (env.CLOUDPC_EMULATOR_DIALECT)
        out.dialect = oneOf("CLOUDPC_EMULATOR_DIALECT", env.CLOUDPC_EMULATOR_DIALECT, DIALECTS);
    if (env.CLOUDPC_EMULATOR_UNKNOWN_ID) {
        out.unknownIdAnswer = oneOf("CLOUDPC_EMULATOR_UNKNOWN_ID", env.CLOUDPC_EMULATOR_UNKNOWN_ID, UNKNOWN_ID_ANSWERS);
    }
    return out;
}

export function resolveOptions(opts: EmulatorOptions = {}): { fixed: FixedSettings; runtime: RuntimeSettings } {
    const tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
    if (!isGuid(tenantId)) throw new TypeError(`tenantId must be a GUID, got '${tenantId}'`);
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new TypeError(`port must be an integer 0-65535, got ${port}`);
    const fixed: FixedSettings = {
        host: opts.host ?? "127.0.0.1",
        port,
        certDir: path.resolve(opts.certDir ?? defaultCertDir()),
        tenantId: tenantId.toLowerCase(),
        tenants: parseTenants(opts.tenants, tenantId.toLowerCase()),
    };
    const runtime: RuntimeSettings = {
        clients: [
            {
                clientId: DEFAULT_CLIENT_ID,
                clientSecret: DEFAULT_CLIENT_SECRET,
                roles: [ROLE_READ_WRITE, ROLE_USER_READ],
            },
        ],
        tokenLifetimeSeconds: 3600,
        importDurationMs: 1500,
        pageSize: 100,
        dialect: "metadata",
        unknownIdAnswer: "empty",
        importResultFunctions: new Set(DIALECT_FUNCTIONS.metadata),
        snapshotListRoutes: new Set(SNAPSHOT_LIST_ROUTES),
        snapshotDurationMs: undefined,
        pendingSnapshotStatus: null,
        snapshotRetentionDays: 30,
        subscriptions: defaultSubscriptions(),
        users: new Map(),
        rateLimit: undefined,
        log: undefined,
    };
    const { host: _h, port: _p, certDir: _c, tenantId: _t, tenants: _ts, ...changeable } = opts;
    applyRuntimeOptions(runtime, { ...dialectFromEnv(), ...changeable });
    return { fixed, runtime };
}

const FIXED_KEYS = new Set(["host", "port", "certDir", "tenantId", "tenants"]);

function parseTenants(value: unknown, first: string): TenantSettings[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new TypeError("tenants must be an array");
    const seen = new Set([first]);
    return value.map((t, i) => {
        if (!isRecord(t)) throw new TypeError(`tenants[${i}] must be an object`);
        const id = t["tenantId"];
        if (!isGuid(id)) throw new TypeError(`tenants[${i}].tenantId must be a GUID`);
        const tenantId = id.toLowerCase();
        if (seen.has(tenantId)) throw new TypeError(`tenants[${i}].tenantId ${tenantId} is given twice`);
        seen.add(tenantId);
        const clients = t["clients"];
        if (!Array.isArray(clients) || clients.length === 0)
            throw new TypeError(`tenants[${i}].clients must be a non-empty array (the tenant's app registrations)`);
        const users = t["users"] ?? [];
        if (!Array.isArray(users)) throw new TypeError(`tenants[${i}].users must be an array`);
        return {
            tenantId,
            clients: clients.map((c, j) => parseClient(c, j)),
            users: new Map(users.map((u, j) => parseUser(u, j)).map((u) => [u.id, u] as const)),
        };
    });
}

function positiveInteger(name: string, value: unknown, min: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min)
        throw new TypeError(`${name} must be an integer >= ${min}`);
    return value;
}

function optionalString(name: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string`);
    return value;
}

function parseClient(value: unknown, i: number): EmulatorClient {
    if (!isRecord(value)) throw new TypeError(`clients[${i}] must be an object`);
    const clientId = value["clientId"];
    if (typeof clientId !== "string" || clientId === "")
        throw new TypeError(`clients[${i}].clientId must be a non-empty string`);
    const roles = value["roles"];
    if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === "string"))) {
        throw new TypeError(`clients[${i}].roles must be an array of strings`);
    }
    const client: EmulatorClient = {
        clientId,
        roles: roles === undefined ? [ROLE_READ_WRITE, ROLE_USER_READ] : [...(roles as string[])],
    };
    const secret = optionalString(`clients[${i}].clientSecret`, value["clientSecret"]);
    const cert = optionalString(`clients[${i}].certificatePem`, value["certificatePem"]);
    const issuer = optionalString(`clients[${i}].federatedIssuer`, value["federatedIssuer"]);
    if (secret !== undefined) client.clientSecret = secret;
    if (cert !== undefined) {
        try {
            new X509Certificate(cert);
        } catch {
            throw new TypeError(`clients[${i}].certificatePem is not a PEM certificate`);
        }
        client.certificatePem = cert;
    }
    if (issuer !== undefined) client.federatedIssuer = issuer;
    return client;
}

function parseUser(value: unknown, i: number): EmulatorUser {
    if (!isRecord(value)) throw new TypeError(`users[${i}] must be an object`);
    const id = value["id"];
    if (!isGuid(id)) throw new TypeError(`users[${i}].id must be a GUID (the user's Entra object id)`);
    const user: EmulatorUser = { id: id.toLowerCase() };
    const upn = optionalString(`users[${i}].userPrincipalName`, value["userPrincipalName"]);
    const policy = optionalString(`users[${i}].policyName`, value["policyName"]);
    const has = value["hasProvisioningPolicy"];
    if (has !== undefined && typeof has !== "boolean")
        throw new TypeError(`users[${i}].hasProvisioningPolicy must be a boolean`);
    if (upn !== undefined) user.userPrincipalName = upn;
    if (policy !== undefined) user.policyName = policy;
    if (has !== undefined) user.hasProvisioningPolicy = has;
    return user;
}

function parseSubscription(value: unknown, i: number): EmulatorSubscription {
    if (!isRecord(value)) throw new TypeError(`subscriptions[${i}] must be an object`);
    const subscriptionId = value["subscriptionId"];
    if (!isGuid(subscriptionId)) throw new TypeError(`subscriptions[${i}].subscriptionId must be a GUID`);
    const subscriptionName =
        optionalString(`subscriptions[${i}].subscriptionName`, value["subscriptionName"]) ?? subscriptionId;
    const accounts = value["storageAccounts"] ?? [];
    if (!Array.isArray(accounts)) throw new TypeError(`subscriptions[${i}].storageAccounts must be an array`);
    const storageAccounts = accounts.map((a, j) => {
        const where = `subscriptions[${i}].storageAccounts[${j}]`;
        if (!isRecord(a)) throw new TypeError(`${where} must be an object`);
        const id = a["storageAccountId"];
        if (typeof id !== "string" || !STORAGE_ACCOUNT_ID_RE.test(id))
            throw new TypeError(`${where}.storageAccountId must be a storage account's ARM id`);
        const name = optionalString(`${where}.storageAccountName`, a["storageAccountName"]) ?? id.split("/").pop()!;
        const account: EmulatorStorageAccount = { storageAccountId: id, storageAccountName: name };
        const tier = optionalString(`${where}.accessTier`, a["accessTier"]);
        if (tier !== undefined) account.accessTier = tier;
        const immutable = a["immutableStorage"];
        if (immutable !== undefined && immutable !== null && typeof immutable !== "boolean") {
            throw new TypeError(`${where}.immutableStorage must be a boolean`);
        }
        if (typeof immutable === "boolean") account.immutableStorage = immutable;
        return account;
    });
    return { subscriptionId, subscriptionName, storageAccounts };
}

/**
 * Validates and applies a partial options object (from code or from JSON). Throws TypeError with a readable
 * message on bad input and changes nothing in that case. `rateLimit: null|undefined` (key present) disables throttling.
 */
export function applyRuntimeOptions(target: RuntimeSettings, patch: unknown): void {
    if (!isRecord(patch)) throw new TypeError("options must be an object");
    const next: RuntimeSettings = {
        ...target,
        importResultFunctions: new Set(target.importResultFunctions),
        snapshotListRoutes: new Set(target.snapshotListRoutes),
        users: new Map(target.users),
    };
    for (const [key, value] of Object.entries(patch)) {
        // An undefined value means "leave as is", except where undefined is meaningful (no throttling, no log).
        if (value === undefined && key !== "rateLimit" && key !== "log") continue;
        if (FIXED_KEYS.has(key))
            throw new TypeError(`option '${key}' is fixed when the emulator starts and cannot be changed`);
        switch (key) {
            case "pageSize":
                next.pageSize = positiveInteger("pageSize", value, 1);
                break;
            case "importDurationMs":
                next.importDurationMs = positiveInteger("importDurationMs", value, 0);
                break;
            case "tokenLifetimeSeconds":
                next.tokenLifetimeSeconds = positiveInteger("tokenLifetimeSeconds", value, 1);
                break;
            case "dialect":
                next.dialect = oneOf("dialect", value, DIALECTS);
                // The dialect names the functions served, unless the same patch lists them itself.
                if (!("importResultFunctions" in patch))
                    next.importResultFunctions = new Set(DIALECT_FUNCTIONS[next.dialect]);
                break;
            case "unknownIdAnswer":
                next.unknownIdAnswer = oneOf("unknownIdAnswer", value, UNKNOWN_ID_ANSWERS);
                break;
            case "importResultFunctions": {
                if (!Array.isArray(value)) throw new TypeError("importResultFunctions must be an array");
                for (const name of value) {
                    if (!(IMPORT_RESULT_FUNCTIONS as readonly unknown[]).includes(name)) {
                        throw new TypeError(
                            `importResultFunctions: unknown function '${String(name)}' (known: ${IMPORT_RESULT_FUNCTIONS.join(", ")})`,
                        );
                    }
                }
                next.importResultFunctions = new Set(value as ImportResultFunction[]);
                break;
            }
            case "snapshotListRoutes": {
                if (!Array.isArray(value)) throw new TypeError("snapshotListRoutes must be an array");
                for (const name of value) {
                    if (!(SNAPSHOT_LIST_ROUTES as readonly unknown[]).includes(name)) {
                        throw new TypeError(
                            `snapshotListRoutes: unknown route '${String(name)}' (known: ${SNAPSHOT_LIST_ROUTES.join(", ")})`,
                        );
                    }
                }
                next.snapshotListRoutes = new Set(value as SnapshotListRoute[]);
                break;
            }
            case "snapshotDurationMs":
                next.snapshotDurationMs = value === null ? undefined : positiveInteger("snapshotDurationMs", value, 0);
                break;
            case "pendingSnapshotStatus":
                next.pendingSnapshotStatus =
                    value === null ? null : (optionalString("pendingSnapshotStatus", value) ?? null);
                break;
            case "snapshotRetentionDays":
                if (value !== null && (typeof value !== "number" || !(value > 0)))
                    throw new TypeError("snapshotRetentionDays must be a number > 0 or null");
                next.snapshotRetentionDays = value as number | null;
                break;
            case "subscriptions": {
                if (!Array.isArray(value)) throw new TypeError("subscriptions must be an array");
                next.subscriptions = value.map((s, i) => parseSubscription(s, i));
                break;
            }
            case "rateLimit": {
                if (value === undefined || value === null) {
                    next.rateLimit = undefined;
                    break;
                }
                if (!isRecord(value)) throw new TypeError("rateLimit must be an object or null");
                const rps = value["requestsPerSecond"];
                if (typeof rps !== "number" || !(rps > 0))
                    throw new TypeError("rateLimit.requestsPerSecond must be a number > 0");
                const retry = value["retryAfterSeconds"];
                if (retry !== undefined && (typeof retry !== "number" || retry < 0))
                    throw new TypeError("rateLimit.retryAfterSeconds must be a number >= 0");
                next.rateLimit =
                    retry === undefined
                        ? { requestsPerSecond: rps }
                        : { requestsPerSecond: rps, retryAfterSeconds: retry };
                break;
            }
            case "users": {
                if (!Array.isArray(value)) throw new TypeError("users must be an array");
                next.users = new Map(value.map((u, i) => parseUser(u, i)).map((u) => [u.id, u] as const));
                break;
            }
            case "clients": {
                if (!Array.isArray(value) || value.length === 0)
                    throw new TypeError("clients must be a non-empty array");
                next.clients = value.map((c, i) => parseClient(c, i));
                break;
            }
            case "log":
                if (value !== undefined && typeof value !== "function") throw new TypeError("log must be a function");
                next.log = value as ((line: string) => void) | undefined;
                break;
            default:
                throw new TypeError(`unknown option '${key}'`);
        }
    }
    Object.assign(target, next);
}

/**
 * Any GUID user not configured exists, has the default policy and a UPN made from its id: Graph reports users by
 * UPN, never by object id (contract: "Users are reported by UPN").
 */
export function userFor(
    users: ReadonlyMap<string, EmulatorUser>,
    userId: string,
): Required<Pick<EmulatorUser, "id" | "hasProvisioningPolicy" | "policyName">> & { userPrincipalName: string } {
    const configured = users.get(userId.toLowerCase());
    return {
        id: userId,
        userPrincipalName: configured?.userPrincipalName ?? defaultUpn(userId),
        hasProvisioningPolicy: configured?.hasProvisioningPolicy ?? true,
        policyName: configured?.policyName ?? DEFAULT_POLICY_NAME,
    };
}

/** The runtime settings as plain JSON (for GET/POST /_emulator/options answers). */
export function runtimeSnapshot(runtime: RuntimeSettings): Record<string, unknown> {
    return {
        tokenLifetimeSeconds: runtime.tokenLifetimeSeconds,
        importDurationMs: runtime.importDurationMs,
        pageSize: runtime.pageSize,
        dialect: runtime.dialect,
        unknownIdAnswer: runtime.unknownIdAnswer,
        importResultFunctions: [...runtime.importResultFunctions],
        snapshotListRoutes: [...runtime.snapshotListRoutes],
        snapshotDurationMs: runtime.snapshotDurationMs ?? null,
        pendingSnapshotStatus: runtime.pendingSnapshotStatus,
        snapshotRetentionDays: runtime.snapshotRetentionDays,
        subscriptions: runtime.subscriptions,
        users: [...runtime.users.values()],
        rateLimit: runtime.rateLimit ?? null,
        // Secrets and certificates stay out of answers.
        clients: runtime.clients.map((c) => ({
            clientId: c.clientId,
            roles: c.roles ?? [ROLE_READ_WRITE],
            secret: c.clientSecret !== undefined,
            certificate: c.certificatePem !== undefined,
            federatedIssuer: c.federatedIssuer ?? null,
        })),
    };
}

/**
 * The UPN of a user the emulator was not told about: one per user, and not the object id in another form (a
 * client must read it, not derive it), e.g. `user-1f3a9c2b7d40@contoso.onmicrosoft.com`.
 */
export function defaultUpn(userId: string): string {
    const digest = createHash("sha256").update(userId.toLowerCase()).digest("hex").slice(0, 12);
    return `user-${digest}@contoso.onmicrosoft.com`;
}
