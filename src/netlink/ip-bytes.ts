import { collapseIPv6Number } from 'ip-num';

/** Formats a 4- or 16-byte address the way the config's canonical form does. */
export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) {
    return Array.from(bytes).join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(bytes.readUInt16BE(i).toString(16));
  }
  return collapseIPv6Number(groups.join(':')).toLowerCase();
}

/** Encodes a canonical IPv4 or IPv6 address into network-order bytes. */
export function parseIp(family: 4 | 6, text: string): Buffer {
  if (family === 4) {
    return Buffer.from(text.split('.').map(Number));
  }
  return ipv6Bytes(text);
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

export function formatMac(bytes: Buffer): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(text: string): Buffer {
  return Buffer.from(text.split(':').map((octet) => parseInt(octet, 16)));
}
