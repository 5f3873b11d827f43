/** NLA_TYPE_MASK: the low 14 bits of an attribute type; the top two are flags. */
const TYPE_MASK = 0x3fff;

/**
 * Splits a run of netlink attributes into a map from type to payload. The
 * last attribute of a type wins. A truncated attribute ends the run, so odd
 * kernel data yields fewer attributes instead of an exception.
 */
export function parseAttributes(bytes: Buffer, offset = 0): Map<number, Buffer> {
  const attributes = new Map<number, Buffer>();
  let position = offset;
  while (position + 4 <= bytes.length) {
    const length = bytes.readUInt16LE(position);
    if (length < 4 || position + length > bytes.length) break;
    const type = bytes.readUInt16LE(position + 2) & TYPE_MASK;
    attributes.set(type, bytes.subarray(position + 4, position + length));
    position += (length + 3) & ~3;
  }
  return attributes;
}

export function readU32(payload: Buffer | undefined): number | undefined {
  return payload && payload.length >= 4 ? payload.readUInt32LE(0) : undefined;
}

/** Reads a NUL-terminated string attribute. */
export function readString(payload: Buffer | undefined): string | undefined {
  if (!payload) return undefined;
  const end = payload.indexOf(0);
  return payload.toString('utf8', 0, end === -1 ? payload.length : end);
}
