import { writeFileSync } from 'node:fs';
import { NetlinkError } from './errors';

/**
 * IPv6 settings for a shim. rtnetlink cannot set these (the kernel accepts
 * only the token and addrgenmode in IFLA_AF_SPEC for IPv6), so they go
 * through /proc/sys/net/ipv6/conf, which shows the settings of the network
 * namespace the daemon runs in.
 *
 * - accept_ra=0 and autoconf=0: the shim never takes addresses or a default
 *   route from router advertisements, only what the config lists.
 * - ndisc_notify=1: the kernel sends unsolicited neighbour advertisements
 *   when the device comes up or its address changes.
 */
const SHIM_IPV6_SETTINGS: Record<string, string> = {
  accept_ra: '0',
  autoconf: '0',
  ndisc_notify: '1',
};

/**
 * Applies the shim's IPv6 settings; a host without IPv6 is not an error.
 * The writes are synchronous: a write to /proc/sys returns at once, and the
 * asynchronous API would add a thread-pool round trip per file.
 */
export function configureShimIpv6(name: string): void {
  for (const [key, value] of Object.entries(SHIM_IPV6_SETTINGS)) {
    const path = `/proc/sys/net/ipv6/conf/${name}/${key}`;
    try {
      writeFileSync(path, value);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (code === 'ENOENT' && key === 'accept_ra') return;
      throw new NetlinkError(`write ${value} to ${path}`, code, { cause });
    }
  }
}
