/**
 * Formats a 4- or 16-byte address the way the config's canonical form does:
 * IPv6 in RFC 5952 form, with the longest run of two or more zero groups
 * (the first, on a tie) written as `::`.
 */
export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) {
    return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(bytes.readUInt16BE(i));
  }
  const [start, length] = longestZeroRun(groups);
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  if (length < 2) {
    return hex(groups);
  }
  return `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
}

function longestZeroRun(groups: number[]): [number, number] {
  let best: [number, number] = [-1, 0];
  let start = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (start === -1) start = i;
      continue;
    }
    if (start !== -1 && i - start > best[1]) best = [start, i - start];
    start = -1;
  }
  return best;
}

/** Encodes a canonical IPv4 or IPv6 address into network-order bytes. */
export function parseIp(family: 4 | 6, text: string): Buffer {
  if (family === 4) {
    return Buffer.from(text.split('.').map(Number));
  }
  return ipv6Bytes(text);
}

function ipv6Bytes(text: string): Buffer {
  text = dottedTailToHex(text);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

/** Rewrites an embedded IPv4 tail such as `::ffff:1.2.3.4` as two hex groups. */
function dottedTailToHex(text: string): string {
  const match = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!match) return text;
  const [, head, a, b, c, d] = match;
  const high = ((Number(a) << 8) | Number(b)).toString(16);
  const low = ((Number(c) << 8) | Number(d)).toString(16);
  return `${head}${high}:${low}`;
}

/** Returns the canonical text of an IPv6 address, as formatIp prints kernel bytes. */
export function canonicalIpv6(text: string): string {
  return formatIp(ipv6Bytes(text.toLowerCase()));
}

export function formatMac(bytes: Buffer): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(text: string): Buffer {
  return Buffer.from(text.split(':').map((octet) => parseInt(octet, 16)));
}
