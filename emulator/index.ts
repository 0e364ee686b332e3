// Public surface of the Graph emulator (in-process use by tests; see cli.ts for standalone use).
export { startEmulator } from "./server";
export type { Emulator } from "./server";
export type { EmulatorStats } from "./stats";
export type { EmulatorTenantView } from "./tenant";
export type { FaultInjector, FaultRule, RandomFaultKind, RandomFaults, RandomFaultStats } from "./faults";
export { RANDOM_FAULT_KINDS } from "./faults";
export type { ImportRecord, ImportStore } from "./imports";
export type {
    HealthCheckStatus,
    RestorePointRecord,
    RestorePointStore,
    RestorePointType,
    StorageCopy,
} from "./snapshots";
export type { EmulatorStorageAccount, EmulatorSubscription } from "./subscriptions";
export type { BlobField } from "./import-request";
export {
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_POLICY_NAME,
    DEFAULT_TENANT_ID,
    IMPORT_RESULT_FUNCTIONS,
    SNAPSHOT_LIST_ROUTES,
    ROLE_READ,
    ROLE_READ_WRITE,
} from "./options";
export type {
    EmulatorClient,
    EmulatorOptions,
    EmulatorTenantOptions,
    EmulatorUser,
    ImportResultFunction,
    RateLimit,
    SnapshotListRoute,
} from "./options";
export { defaultCertDir, ensureCertificates, ensureClientCertificate } from "./certs";
export type { CertificatePaths, ClientCertificate } from "./certs";
export { EMULATOR_STORAGE_ACCOUNT, EMULATOR_SUBSCRIPTION } from "./graph";
