import { createHash } from 'node:crypto';

/**
 * Derives a stable MAC for a shim from the machine identity and the shim
 * name: the same on every restart, reboot and recreation, different between
 * hosts and between shims. The first octet is forced to locally
 * administered (bit 1 set) and unicast (bit 0 clear).
 */
export function deriveMac(machineId: string, shimName: string): string {
  const digest = createHash('sha256').update(`macvlan-shim\0${machineId}\0${shimName}`).digest();
  const octets = Array.from(digest.subarray(0, 6));
  octets[0] = (octets[0] & 0xfc) | 0x02;
  return octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');
}
