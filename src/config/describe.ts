import { parseBlock } from './ip';
import type { Config, DockerNetwork, Prefix, ShimConfig } from './types';

/**
 * Describes what the daemon would manage, one line per fact, for
 * `macvlan-shim check`. Each address prefix and route shows the first and
 * last address it covers.
 */
export function describeConfig(config: Config): string[] {
  const resync =
    config.resyncSeconds === 0
      ? 'periodic resync off'
      : `full resync every ${config.resyncSeconds} s`;
  const lines = [`log level ${config.log.level}, ${resync}`];
  for (const shim of config.shims) {
    lines.push(...describeShim(shim));
  }
  return lines;
}

function describeShim(shim: ShimConfig): string[] {
  const mac = shim.mac ?? 'derived from /etc/machine-id';
  const mtu = shim.mtu === undefined ? "parent's" : String(shim.mtu);
  const lines = [
    `shim ${shim.name}: parent ${shim.parent}, mode ${shim.mode}, promisc ${shim.promisc ? 'on' : 'off'}, MAC ${mac}, MTU ${mtu}`,
  ];
  if (shim.addresses.length === 0) {
    lines.push('  addresses: none');
  }
  for (const address of shim.addresses) {
    lines.push(`  address ${describePrefix(address)}`);
  }
  if (shim.routes.length === 0) {
    lines.push('  routes: none');
  }
  for (const route of shim.routes) {
    lines.push(`  route ${describePrefix(route)}`);
  }
  if (shim.docker !== undefined) {
    lines.push(`  docker network ${describeDocker(shim.docker)}`);
  }
  return lines;
}

/** Writes `192.168.124.160/27 covers 192.168.124.160–192.168.124.191`. */
function describePrefix(prefix: Prefix): string {
  const parsed = parseBlock(prefix.text);
  if (!parsed.ok) {
    return prefix.text;
  }
  const { first, last } = parsed.block;
  return `${prefix.text} covers ${first.text}–${last.text}`;
}

function describeDocker(docker: DockerNetwork): string {
  const parts = [`subnet ${docker.subnet?.text ?? 'not given'}`];
  if (docker.gateway !== undefined) {
    parts.push(`gateway ${docker.gateway}`);
  }
  if (docker.ipRange !== undefined) {
    parts.push(`ip_range ${describePrefix(docker.ipRange)}`);
  }
  if (docker.auxAddresses.length > 0) {
    parts.push(`aux_addresses ${docker.auxAddresses.join(' ')}`);
  }
  if (docker.containers.length > 0) {
    parts.push(`containers ${docker.containers.join(' ')}`);
  }
  return parts.join(', ');
}
