'use strict';

/** Parent NIC name used in every bench namespace. */
const PARENT = 'mbn-nic0';

/**
 * Returns the shim of the recovery, storm and start-up runs. The address is a /32 so
 * that the kernel adds no prefix route with it: the configured route is then
 * a separate request, and the "full" milestone differs from "addresses".
 */
function recoveryShim(parent = PARENT) {
  return {
    name: 'mbn-shim',
    parent,
    mode: 'bridge',
    addresses: ['192.168.124.190/32'],
    routes: ['192.168.124.160/27'],
  };
}

/**
 * Returns count shims on one parent (at most 256), each with its own /32
 * address in 10.77.0.0/16 and its own /24 route in 10.78.0.0/16.
 */
function manyShims(count, parent = PARENT) {
  if (count > 256) throw new RangeError(`at most 256 shims, not ${count}`);
  return Array.from({ length: count }, (_, i) => ({
    name: `mbn-s${i}`,
    parent,
    mode: 'bridge',
    addresses: [`10.77.${i}.1/32`],
    routes: [`10.78.${i}.0/24`],
  }));
}

/**
 * `ip -batch` lines that build the same state as the daemon: parent
 * promiscuous, then per shim the macvlan, link up, addresses and routes.
 * The daemon also writes an ownership alias per shim, which these lines do
 * not, so the daemon sends one request per shim more than `ip` does.
 */
function ipBatchLines(shims) {
  const parents = [...new Set(shims.map((shim) => shim.parent))];
  const lines = parents.map((parent) => `link set ${parent} promisc on`);

  for (const shim of shims) {
    lines.push(`link add link ${shim.parent} name ${shim.name} type macvlan mode ${shim.mode}`);
    lines.push(`link set ${shim.name} up`);
    for (const address of shim.addresses) lines.push(`address add ${address} dev ${shim.name}`);
    for (const route of shim.routes) lines.push(`route add ${route} dev ${shim.name}`);
  }
  return lines;
}

module.exports = { PARENT, recoveryShim, manyShims, ipBatchLines };
