// Microsoft's generated Graph beta models (@microsoft/msgraph-beta-sdk, generated from the beta metadata) as a judge
// of JSON bodies. Kiota's deserializer is lenient: a property the model does not declare lands in `additionalData`,
// an enum string it does not know becomes undefined, a value of the wrong type is dropped. judge() turns each of
// those into a problem, so a test can assert that a body holds nothing the metadata does not declare.
import { JsonParseNode } from "@microsoft/kiota-serialization-json";
import * as beta from "@microsoft/msgraph-beta-sdk/models/index.js";
import * as errors from "@microsoft/msgraph-beta-sdk/models/oDataErrors/index.js";

type Factory = Parameters<JsonParseNode["getObjectValue"]>[0];

/** OData annotations Kiota keeps in additionalData; nothing else may be there. */
export const ODATA_ANNOTATIONS: readonly string[] = ["@odata.context", "@odata.nextLink", "@odata.count"];

/** How to judge one model: the SDK's factory, and which properties are enums, dates, booleans or nested models. */
export interface Model {
    name: string;
    factory: Factory;
    enums?: Record<string, Readonly<Record<string, string>>>;
    dates?: readonly string[];
    booleans?: readonly string[];
    objects?: Record<string, Model>;
    /** JSON names the model reads into a differently named property (Kiota camel-cases names such as `request-id`). */
    renamed?: Record<string, string>;
    /** Properties of `additionalData` a documented sample carries although the model lacks them (said why at use). */
    tolerated?: readonly string[];
}

export const IMPORT_RESULT: Model = {
    name: "cloudPcSnapshotImportActionResult",
    factory: beta.createCloudPcSnapshotImportActionResultFromDiscriminatorValue,
    enums: {
        importStatus: beta.CloudPcSnapshotImportActionStatusObject,
        usageStatus: beta.CloudPcImportedSnapshotStateObject,
    },
    dates: ["startDateTime", "endDateTime"],
};

export const RESTORE_POINT: Model = {
    name: "cloudPcSnapshot",
    factory: beta.createCloudPcSnapshotFromDiscriminatorValue,
    enums: {
        status: beta.CloudPcSnapshotStatusObject,
        snapshotType: beta.CloudPcSnapshotTypeObject,
        healthCheckStatus: beta.CloudPcSnapshotHealthCheckStatusObject,
    },
    dates: ["createdDateTime", "expirationDateTime", "lastRestoredDateTime"],
};

export const SUBSCRIPTION: Model = {
    name: "cloudPcSubscription",
    factory: beta.createCloudPcSubscriptionFromDiscriminatorValue,
};

export const STORAGE_ACCOUNT: Model = {
    name: "cloudPcForensicStorageAccount",
    factory: beta.createCloudPcForensicStorageAccountFromDiscriminatorValue,
    enums: { accessTier: beta.CloudPcStorageAccountAccessTierObject },
    booleans: ["immutableStorage"],
};

export const STORAGE_BLOB: Model = {
    name: "cloudPcStorageBlobDetail",
    factory: beta.createCloudPcStorageBlobDetailFromDiscriminatorValue,
};

export const IMPORT_DETAIL: Model = {
    name: "cloudPcSnapshotImportActionDetail",
    factory: beta.createCloudPcSnapshotImportActionDetailFromDiscriminatorValue,
    enums: {
        sourceType: beta.CloudPcSnapshotImportSourceTypeObject,
        fileType: beta.CloudPcSnapshotImportFileTypeObject,
    },
    objects: { storageBlobInfo: STORAGE_BLOB },
};

const INNER_ERROR: Model = {
    name: "innerError",
    factory: errors.createInnerErrorFromDiscriminatorValue,
    dates: ["date"],
    renamed: { "request-id": "requestId", "client-request-id": "clientRequestId" },
};

export const ODATA_ERROR: Model = {
    name: "ODataError",
    factory: errors.createODataErrorFromDiscriminatorValue,
    objects: {
        error: {
            name: "mainError",
            factory: errors.createMainErrorFromDiscriminatorValue,
            objects: { innerError: INNER_ERROR },
        },
    },
};

/** Graph's throttling sample (concepts/throttling.md) nests code, status and message in innerError; the model has none of them. */
export const THROTTLING_ERROR: Model = {
    ...ODATA_ERROR,
    objects: {
        error: {
            ...ODATA_ERROR.objects!.error!,
            objects: { innerError: { ...INNER_ERROR, tolerated: ["code", "status", "message"] } },
        },
    },
};

/** The enum objects of the SDK this file judges with (for tests that compare member lists). */
export const ENUMS = {
    importStatus: beta.CloudPcSnapshotImportActionStatusObject,
    usageStatus: beta.CloudPcImportedSnapshotStateObject,
    snapshotType: beta.CloudPcSnapshotTypeObject,
    blobAccessTier: beta.CloudPcBlobAccessTierObject,
    storageAccountAccessTier: beta.CloudPcStorageAccountAccessTierObject,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The model's name for a JSON key: Kiota maps `@odata.type` to `odataType`, `error` of ODataError to `errorEscaped`. */
function propertyOf(model: Model, key: string): string {
    if (key === "@odata.type") return "odataType";
    if (model.renamed?.[key]) return model.renamed[key];
    if (model.name === "ODataError" && key === "error") return "errorEscaped";
    return key;
}

/** Problems found in `raw` judged as `model` (empty when the model accepts every property and value). */
export function judge(raw: unknown, model: Model, where = model.name): string[] {
    if (!isRecord(raw)) return [`${where}: not a JSON object`];
    const parsed = new JsonParseNode(raw).getObjectValue(model.factory) as Record<string, unknown> & {
        additionalData?: Record<string, unknown>;
    };
    const problems: string[] = [];
    for (const key of Object.keys(parsed.additionalData ?? {})) {
        if (!ODATA_ANNOTATIONS.includes(key) && !(model.tolerated ?? []).includes(key)) {
            problems.push(`${where}.${key}: not a property of ${model.name}`);
        }
    }
    for (const [key, value] of Object.entries(raw)) {
        if (value === null || ODATA_ANNOTATIONS.includes(key) || (model.tolerated ?? []).includes(key)) continue;
        const prop = propertyOf(model, key);
        const members = model.enums?.[key];
        if (members) {
            if (!Object.values(members).includes(value as string)) {
                problems.push(
                    `${where}.${key}: ${JSON.stringify(value)} is not a member of the model's enum (${Object.values(members).join(", ")})`,
                );
            }
            continue;
        }
        if (!(key in (parsed.additionalData ?? {})) && parsed[prop] === undefined) {
            problems.push(`${where}.${key}: ${JSON.stringify(value)} has the wrong type for ${model.name}`);
        }
        if (model.dates?.includes(key) && (typeof value !== "string" || Number.isNaN(Date.parse(value)))) {
            problems.push(`${where}.${key}: ${JSON.stringify(value)} is not a DateTimeOffset`);
        }
        if (model.booleans?.includes(key) && typeof value !== "boolean")
            problems.push(`${where}.${key}: ${JSON.stringify(value)} is not a boolean`);
        const nested = model.objects?.[key];
        if (nested) problems.push(...judge(value, nested, `${where}.${key}`));
    }
    return problems;
}

/**
 * A collection answer (`{ value: [...] }`). The package has no model for the functions' response wrappers (they live
 * in the request builders, which this package leaves out), so the wrapper is checked field by field against the
 * metadata's BaseCollectionPaginationCountResponse: value, @odata.nextLink (absolute URL), @odata.count (integer).
 */
export function judgeCollection(raw: unknown, item: Model, where = `Collection(${item.name})`): string[] {
    if (!isRecord(raw)) return [`${where}: not a JSON object`];
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (key !== "value" && !ODATA_ANNOTATIONS.includes(key))
            problems.push(`${where}.${key}: not part of a collection response`);
    }
    if (!Array.isArray(raw.value)) return [...problems, `${where}.value: not an array`];
    const next = raw["@odata.nextLink"];
    if (next !== undefined && (typeof next !== "string" || !/^https:\/\//.test(next)))
        problems.push(`${where}.@odata.nextLink: not an absolute URL`);
    const count = raw["@odata.count"];
    if (count !== undefined && !Number.isInteger(count)) problems.push(`${where}.@odata.count: not an integer`);
    raw.value.forEach((v, i) => problems.push(...judge(v, item, `${where}.value[${i}]`)));
    return problems;
}

/** cloudPcSnapshot has a collection model of its own (CloudPcSnapshotCollectionResponse): judge with it too. */
export function judgeRestorePointCollection(raw: unknown): string[] {
    const wrapper: Model = {
        name: "CloudPcSnapshotCollectionResponse",
        factory: beta.createCloudPcSnapshotCollectionResponseFromDiscriminatorValue,
    };
    const problems = judgeCollection(raw, RESTORE_POINT);
    if (isRecord(raw)) {
        const parsed = new JsonParseNode(raw).getObjectValue(wrapper.factory) as {
            additionalData?: Record<string, unknown>;
            value?: unknown[];
        };
        for (const key of Object.keys(parsed.additionalData ?? {})) {
            if (!ODATA_ANNOTATIONS.includes(key)) problems.push(`${wrapper.name}.${key}: not a property of the model`);
        }
        if (!Array.isArray(parsed.value)) problems.push(`${wrapper.name}.value: the model read no value`);
    }
    return problems;
}
