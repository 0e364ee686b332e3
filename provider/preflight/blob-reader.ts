// Reads what a preflight needs of a blob (its length, its type and its last 512 bytes) with @azure/storage-blob:
// with the SAS in the URL, or with a storage token from the provider's own credential. Path-style URLs
// (https://host:port/account/container/blob, as the storage emulator Azurite serves them) work as given.
import { AnonymousCredential, BlobClient, RestError, type StoragePipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/identity";
import { FOOTER_SIZE } from "./vhd-footer";

export type BlobRead =
    | { kind: "read"; length: number; blobType: string | undefined; tail: Uint8Array }
    /** Storage answered with an error: its HTTP status and error code (BlobNotFound, AuthenticationFailed, ...). */
    | { kind: "refused"; status: number; code: string }
    /** No answer from storage (DNS, network, TLS, timeout), or no token for it. */
    | { kind: "unreachable"; why: string };

export interface ReadOptions {
    /** A storage token source (scope https://storage.azure.com/.default); none for a SAS URL. */
    credential?: TokenCredential;
    /** Whole read, retries included. */
    timeoutMs?: number;
    /** What sends the requests: the runtime's proxy-routed client (net/outbound.ts); default the SDK's own. */
    httpClient?: StoragePipelineOptions["httpClient"];
}

export async function readBlobTail(url: string, opts: ReadOptions = {}): Promise<BlobRead> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const client = new BlobClient(url, opts.credential ?? new AnonymousCredential(), {
        retryOptions: { maxTries: 2, tryTimeoutInMs: timeoutMs / 2, retryDelayInMs: 500 },
        ...(opts.httpClient ? { httpClient: opts.httpClient } : {}),
    });
    const abortSignal = AbortSignal.timeout(timeoutMs);
    try {
        const props = await client.getProperties({ abortSignal });
        const length = props.contentLength ?? 0;
        if (length < FOOTER_SIZE) return { kind: "read", length, blobType: props.blobType, tail: new Uint8Array() };
        const tail = await client.downloadToBuffer(length - FOOTER_SIZE, FOOTER_SIZE, { abortSignal });
        return { kind: "read", length, blobType: props.blobType, tail };
    } catch (err) {
        return classify(err);
    }
}

function classify(err: unknown): BlobRead {
    if (err instanceof RestError && typeof err.statusCode === "number" && err.statusCode > 0) {
        // A HEAD answer has no body: the error code comes in the x-ms-error-code header.
        const header = err.response?.headers.get("x-ms-error-code");
        return { kind: "refused", status: err.statusCode, code: header ?? err.code ?? `HTTP ${err.statusCode}` };
    }
    // Never the error's message as such: a request error can quote the URL, and with it a SAS signature.
    const e = err as { name?: string; code?: string; cause?: { code?: string } };
    const why = e.name === "AbortError" ? "no answer in time" : (e.code ?? e.cause?.code ?? e.name ?? "error");
    const token = e.name === "CredentialUnavailableError" || e.name === "AuthenticationError";
    return { kind: "unreachable", why: token ? `no storage token from the provider's credential (${e.name})` : why };
}
