// The VHD footer: the last 512 bytes of a .vhd file (Microsoft's "Virtual Hard Disk Image Format Specification",
// section "Hard Disk Footer Format"). Big-endian fields; the checksum is the one's complement of the byte sum of
// the footer with the checksum field taken as zero. A fixed disk is its data followed by this footer, so its file is
// exactly currentSize + 512 bytes long.

export const FOOTER_SIZE = 512;
const COOKIE = "conectix";

export type DiskType = "fixed" | "dynamic" | "differencing" | "other";

export interface VhdFooter {
    cookieOk: boolean;
    checksumOk: boolean;
    diskType: DiskType;
    /** The virtual disk's size in bytes (the footer's "Current Size"). */
    currentSize: bigint;
}

export function parseVhdFooter(bytes: Uint8Array): VhdFooter {
    if (bytes.length !== FOOTER_SIZE) throw new Error(`a VHD footer is ${FOOTER_SIZE} bytes, got ${bytes.length}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const cookie = Buffer.from(bytes.subarray(0, 8)).toString("latin1");
    const stored = view.getUint32(64);
    let sum = 0;
    for (let i = 0; i < FOOTER_SIZE; i++) if (i < 64 || i >= 68) sum += bytes[i]!;
    const type = view.getUint32(60);
    return {
        cookieOk: cookie === COOKIE,
        checksumOk: ~sum >>> 0 === stored,
        diskType: type === 2 ? "fixed" : type === 3 ? "dynamic" : type === 4 ? "differencing" : "other",
        currentSize: view.getBigUint64(48),
    };
}

/** What the footer says about importing the file: a definite objection, a doubt, or nothing against it. */
export type FooterJudgement = { objection: string } | { doubt: string } | { ok: true };

export function judgeVhdFile(tail: Uint8Array, blobLength: number): FooterJudgement {
    if (blobLength < FOOTER_SIZE)
        return {
            objection: `is ${blobLength} bytes long: too short to be a .vhd file (a VHD ends in a 512-byte footer)`,
        };
    const footer = parseVhdFooter(tail);
    if (!footer.cookieOk)
        return {
            objection: `is not a .vhd file: its last 512 bytes are not a VHD footer (no "conectix" cookie; a VHDX, an ISO or a truncated upload?)`,
        };
    if (!footer.checksumOk)
        return {
            objection: `is not a valid .vhd file: the checksum of its VHD footer is wrong (a damaged or partly uploaded file)`,
        };
    if (footer.diskType === "other")
        return { objection: `is not a valid .vhd file: its VHD footer names no known disk type` };
    if (footer.diskType !== "fixed") {
        return {
            doubt: `is a ${footer.diskType} VHD; Azure makes disks from fixed-size VHDs only (convert it with Convert-VHD -VHDType Fixed)`,
        };
    }
    const expected = footer.currentSize + BigInt(FOOTER_SIZE);
    if (expected !== BigInt(blobLength)) {
        return {
            objection:
                `is not a complete fixed VHD: its footer says ${footer.currentSize} bytes of disk, so the file should be ` +
                `${expected} bytes, but the blob is ${blobLength} bytes (a truncated or padded upload)`,
        };
    }
    return { ok: true };
}

/** A fixed VHD footer for a disk of `diskSize` bytes (tests and the demo's synthetic VHD). */
export function fixedVhdFooter(diskSize: number, type = 2): Buffer {
    const f = Buffer.alloc(FOOTER_SIZE);
    f.write(COOKIE, 0, "latin1");
    f.writeUInt32BE(2, 8); // features: reserved bit always set
    f.writeUInt32BE(0x00010000, 12); // format version 1.0
    f.writeBigUInt64BE(0xffffffffffffffffn, 16); // data offset: none for a fixed disk
    f.write("clpc", 28, "latin1"); // creator application
    f.writeUInt32BE(0x5769326b, 36); // creator host OS: "Wi2k"
    f.writeBigUInt64BE(BigInt(diskSize), 40); // original size
    f.writeBigUInt64BE(BigInt(diskSize), 48); // current size
    f.writeUInt32BE(type, 60);
    let sum = 0;
    for (const b of f) sum += b;
    f.writeUInt32BE(~sum >>> 0, 64);
    return f;
}
