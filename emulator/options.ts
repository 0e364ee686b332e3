// Emulator options: public types, defaults, and validation of run-time changes (setOptions and POST /_emulator/options).
import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { defaultCertDir } from "./certs";
import { isGuid } from "./http";
import { isRecord } from "./tokens";

export const IMPORT_RESULT_FUNCTIONS = ["retrieveSnapshotImportResult", "retrieveSnapshotImportResults", "listSnapshotImportResults"] as const;
export type ImportResultFunction = (typeof IMPORT_RESULT_FUNCTIONS)[number];

export const ROLE_READ = "CloudPC.Read.All";
export const ROLE_READ_WRITE = "CloudPC.ReadWrite.All";

export interface EmulatorClient {
    clientId: string;
    clientSecret?: string;
    /** Public certificate (PEM) for the client-assertion grant (ClientCertificateCredential). */
    certificatePem?: string;
    /** Accept workload-identity (federated) assertions from this issuer. Their signature is NOT checked. */
    federatedIssuer?: string;
    /** App roles put in the token; default ["CloudPC.ReadWrite.All"]. */
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

export interface RateLimit {
    requestsPerSecond: number;
    /** Retry-After seconds on throttled answers; default 1. */
    retryAfterSeconds?: number;
}

export interface EmulatorOptions {
    host?: string;
    port?: number;
    certDir?: string;
    tenantId?: string;
    clients?: EmulatorClient[];
    tokenLifetimeSeconds?: number;
    importDurationMs?: number;
    pageSize?: number;
    importResultFunctions?: ImportResultFunction[];
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
}

/** Settings that may change while running. */
export interface RuntimeSettings {
    clients: EmulatorClient[];
    tokenLifetimeSeconds: number;
    importDurationMs: number;
    pageSize: number;
    importResultFunctions: Set<ImportResultFunction>;
    /** keyed by lower-cased object id */
    users: Map<string, EmulatorUser>;
    rateLimit: RateLimit | undefined;
    log: ((line: string) => void) | undefined;
}

export function resolveOptions(opts: EmulatorOptions = {}): { fixed: FixedSettings; runtime: RuntimeSettings } {
    const tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
    if (!isGuid(tenantId)) throw new TypeError(`tenantId must be a GUID, got '${tenantId}'`);
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be an integer 0-65535, got ${port}`);
    const fixed: FixedSettings = {
        host: opts.host ?? "127.0.0.1",
        port,
        certDir: path.resolve(opts.certDir ?? defaultCertDir()),
        tenantId: tenantId.toLowerCase(),
    };
    const runtime: RuntimeSettings = {
        clients: [{ clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, roles: [ROLE_READ_WRITE] }],
        tokenLifetimeSeconds: 3600,
        importDurationMs: 1500,
        pageSize: 100,
        importResultFunctions: new Set(IMPORT_RESULT_FUNCTIONS),
        users: new Map(),
        rateLimit: undefined,
        log: undefined,
    };
    const { host: _h, port: _p, certDir: _c, tenantId: _t, ...changeable } = opts;
    applyRuntimeOptions(runtime, changeable);
    return { fixed, runtime };
}

const FIXED_KEYS = new Set(["host", "port", "certDir", "tenantId"]);

function positiveInteger(name: string, value: unknown, min: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}`);
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
    if (typeof clientId !== "string" || clientId === "") throw new TypeError(`clients[${i}].clientId must be a non-empty string`);
    const roles = value["roles"];
    if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === "string"))) {
        throw new TypeError(`clients[${i}].roles must be an array of strings`);
    }
    const client: EmulatorClient = { clientId, roles: roles === undefined ? [ROLE_READ_WRITE] : [...(roles as string[])] };
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
    if (has !== undefined && typeof has !== "boolean") throw new TypeError(`users[${i}].hasProvisioningPolicy must be a boolean`);
    if (upn !== undefined) user.userPrincipalName = upn;
    if (policy !== undefined) user.policyName = policy;
    if (has !== undefined) user.hasProvisioningPolicy = has;
    return user;
}

/**
 * Validates and applies a partial options object (from code or from JSON). Throws TypeError with a readable
 * message on bad input and changes nothing in that case. `rateLimit: null|undefined` (key present) disables throttling.
 */
export function applyRuntimeOptions(target: RuntimeSettings, patch: unknown): void {
    if (!isRecord(patch)) throw new TypeError("options must be an object");
    const next: RuntimeSettings = { ...target, importResultFunctions: new Set(target.importResultFunctions), users: new Map(target.users) };
    for (const [key, value] of Object.entries(patch)) {
        // An undefined value means "leave as is", except where undefined is meaningful (no throttling, no log).
        if (value === undefined && key !== "rateLimit" && key !== "log") continue;
        if (FIXED_KEYS.has(key)) throw new TypeError(`option '${key}' is fixed when the emulator starts and cannot be changed`);
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
            case "importResultFunctions": {
                if (!Array.isArray(value)) throw new TypeError("importResultFunctions must be an array");
                for (const name of value) {
                    if (!(IMPORT_RESULT_FUNCTIONS as readonly unknown[]).includes(name)) {
                        throw new TypeError(`importResultFunctions: unknown function '${String(name)}' (known: ${IMPORT_RESULT_FUNCTIONS.join(", ")})`);
                    }
                }
                next.importResultFunctions = new Set(value as ImportResultFunction[]);
                break;
            }
            case "rateLimit": {
                if (value === undefined || value === null) {
                    next.rateLimit = undefined;
                    break;
                }
                if (!isRecord(value)) throw new TypeError("rateLimit must be an object or null");
                const rps = value["requestsPerSecond"];
                if (typeof rps !== "number" || !(rps > 0)) throw new TypeError("rateLimit.requestsPerSecond must be a number > 0");
                const retry = value["retryAfterSeconds"];
                if (retry !== undefined && (typeof retry !== "number" || retry < 0)) throw new TypeError("rateLimit.retryAfterSeconds must be a number >= 0");
                next.rateLimit = retry === undefined ? { requestsPerSecond: rps } : { requestsPerSecond: rps, retryAfterSeconds: retry };
                break;
            }
            case "users": {
                if (!Array.isArray(value)) throw new TypeError("users must be an array");
                next.users = new Map(value.map((u, i) => parseUser(u, i)).map((u) => [u.id, u] as const));
                break;
            }
            case "clients": {
                if (!Array.isArray(value) || value.length === 0) throw new TypeError("clients must be a non-empty array");
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

/** Any GUID user not configured exists, has the default policy and no UPN (contract I-12: Graph then shows the object id). */
export function userFor(runtime: RuntimeSettings, userId: string): Required<Pick<EmulatorUser, "id" | "hasProvisioningPolicy" | "policyName">> & { userPrincipalName: string } {
    const configured = runtime.users.get(userId.toLowerCase());
    return {
        id: userId,
        userPrincipalName: configured?.userPrincipalName ?? userId,
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
        importResultFunctions: [...runtime.importResultFunctions],
        users: [...runtime.users.values()],
        rateLimit: runtime.rateLimit ?? null,
        // Secrets and certificates stay out of answers.
        clients: runtime.clients.map((c) => ({ clientId: c.clientId, roles: c.roles ?? [ROLE_READ_WRITE], secret: c.clientSecret !== undefined, certificate: c.certificatePem !== undefined, federatedIssuer: c.federatedIssuer ?? null })),
    };
}
