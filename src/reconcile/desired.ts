import { readFileSync } from 'node:fs';
import type { Prefix, ShimConfig } from '../config/types';
import { canonicalIpv6 } from '../netlink/ip-bytes';
import { deriveMac } from './mac';

/**
 * One shim as the kernel should show it, ready for planning: the config's
 * settings with addresses and routes in the kernel's text form. `mac` is
 * only a configured MAC, which is enforced on an existing shim.
 */
export interface DesiredShim extends Omit<ShimConfig, 'docker'> {
  /** The MAC used when creating: the configured one, else one derived from machine-id. */
  createMac?: string;
}

const MACHINE_ID_PATH = '/etc/machine-id';

/** Reads the machine identity; undefined when the file is missing or empty. */
export function readMachineId(path = MACHINE_ID_PATH): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function desiredShims(shims: ShimConfig[], machineId: string | undefined): DesiredShim[] {
  return shims.map((shim) => desiredShim(shim, machineId));
}

function desiredShim(shim: ShimConfig, machineId: string | undefined): DesiredShim {
  const derived = machineId === undefined ? undefined : deriveMac(machineId, shim.name);
  return {
    name: shim.name,
    parent: shim.parent,
    mode: shim.mode,
    promisc: shim.promisc,
    addresses: shim.addresses.map(canonicalPrefix),
    routes: shim.routes.map(canonicalPrefix),
    mtu: shim.mtu,
    mac: shim.mac?.toLowerCase(),
    createMac: shim.mac?.toLowerCase() ?? derived,
  };
}

/** Normalises the text form so it compares equal to what the kernel reports. */
export function canonicalPrefix(prefix: Prefix): Prefix {
  const address =
    prefix.family === 6 ? canonicalIpv6(prefix.address) : prefix.address;
  return { ...prefix, address, text: `${address}/${prefix.prefixLength}` };
}

/** Settings that, when unchanged across a reload, mean "do not touch this shim". */
export function shimFingerprint(shim: DesiredShim): string {
  return JSON.stringify(shim);
}
