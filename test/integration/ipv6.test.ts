// IPv6 on purpose: IPv6 addresses and routes behave like IPv4 ones, and a
// shim takes nothing from router advertisements.
//
// The host's parent has no global IPv6 address, so the only IPv6 path from
// the host to the container (fd00:124::170/64) is the shim: its address is
// fd00:124::190/128 and the daemon routes fd00:124::/64 through it.
import { join } from 'node:path';
import t, { Test } from 'tap';
import { runCli } from './helpers/cli';
import { createTopology, startDaemon, waitForDad } from './helpers/harness';
import { addressesIn, canPing, execIn, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import type { Topology } from './helpers/topology';

const PREFIX = 'msix';
const SHIM = 'msix-shim';
const ADDRESS6 = 'fd00:124::190/128';
const ROUTE6 = 'fd00:124::/64';

function config(addresses: string, routes: string): string {
  return `log:
  level: debug
resync: 0
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [${addresses}]
    routes: [${routes}]
`;
}

const DUAL = config(`192.168.124.190/32, ${ADDRESS6}`, `192.168.124.160/27, ${ROUTE6}`);
const IPV4_ONLY = config('192.168.124.190/32', '192.168.124.160/27');

/** Routes through the shim that the daemon added (proto 233), IPv6 only. */
function ownRoutes6(topology: Topology): string[] {
  return routesIn(topology.host, SHIM, '-6').filter((route) => route.endsWith('proto 233'));
}

/** IPv6 addresses on the shim as `ADDRESS/LEN scope SCOPE`, sorted. */
function addresses6(topology: Topology): string[] {
  const [entry] = JSON.parse(ipIn(topology.host, ['-6', '-j', 'address', 'show', 'dev', SHIM])) as {
    addr_info?: { local: string; prefixlen: number; scope: string }[];
  }[];
  return (entry?.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen} scope ${info.scope}`).sort();
}

/** Waits for the dual-stack shim with its IPv6 address usable (not tentative). */
async function waitForDualStack(topology: Topology): Promise<void> {
  await waitFor(
    'IPv6 address and route',
    () => addressesIn(topology.host, SHIM).includes(ADDRESS6) && ownRoutes6(topology).length > 0,
    10_000,
  );
  await waitForDad(topology.host, SHIM);
}

function assertDualStack(t: Test, topology: Topology): void {
  t.same(addressesIn(topology.host, SHIM), ['192.168.124.190/32', ADDRESS6], 'shim has exactly the configured addresses');
  t.same(ownRoutes6(topology), [`${ROUTE6} proto 233`], 'shim has exactly the configured IPv6 route');
  const linkLocal = addresses6(topology).filter((address) => address.startsWith('fe80:'));
  t.equal(linkLocal.length, 1, 'shim keeps the one link-local address the kernel gave it');
  t.match(linkLocal[0] ?? '', / scope link$/, 'the link-local address has link scope');
}

if (requireRoot(t)) {
  t.test('host and container talk IPv6 through the shim', async (t) => {
    const topology = await createTopology(t, PREFIX);
    t.notOk(canPing(topology.host, topology.containerAddress6), 'no IPv6 path before the shim exists');

    await startDaemon(t, topology, DUAL);
    await waitForDualStack(topology);
    assertDualStack(t, topology);

    const path = ipIn(topology.host, ['-6', 'route', 'get', topology.containerAddress6]);
    t.match(path, `dev ${SHIM}`, 'the path to the container leaves through the shim');
    t.match(path, 'src fd00:124::190', 'with the shim address as source');
    t.ok(canPing(topology.host, topology.containerAddress6), 'host reaches the container over IPv6');
    t.ok(canPing(topology.container, 'fd00:124::190'), 'the container reaches the shim over IPv6');
  });

  t.test('removed IPv6 address and route are restored', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon } = await startDaemon(t, topology, DUAL);
    await waitForDualStack(topology);
    const index = linkIn(topology.host, SHIM)!.ifindex;

    ipIn(topology.host, ['-6', 'address', 'delete', ADDRESS6, 'dev', SHIM]);
    await daemon.waitForLog(/^restored address$/);
    ipIn(topology.host, ['-6', 'route', 'delete', ROUTE6, 'dev', SHIM, 'proto', '233']);
    await daemon.waitForLog(/^restored route$/);
    await waitForDualStack(topology);

    t.same(daemon.logged('restored address').map((line) => line.address), [ADDRESS6], 'the log names the address');
    t.same(daemon.logged('restored route').map((line) => line.route), [ROUTE6], 'the log names the route');
    t.equal(linkIn(topology.host, SHIM)?.ifindex, index, 'the shim itself was not recreated');
    assertDualStack(t, topology);
    t.ok(canPing(topology.host, topology.containerAddress6), 'host reaches the container over IPv6');
  });

  t.test('reload drops the IPv6 address and route', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, DUAL);
    await waitForDualStack(topology);

    topology.writeConfig(IPV4_ONLY);
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 2);
    await waitFor('IPv6 entries removed', () => ownRoutes6(topology).length === 0 && addressesIn(topology.host, SHIM).length === 1);

    t.same(addressesIn(topology.host, SHIM), ['192.168.124.190/32'], 'only the IPv4 address is left');
    t.same(ownRoutes6(topology), [], 'no IPv6 route of the daemon is left');
    t.equal(addresses6(topology).filter((address) => address.startsWith('fe80:')).length, 1, 'the link-local address stays');
    t.notOk(canPing(topology.host, topology.containerAddress6), 'the IPv6 path is gone');
    t.ok(canPing(topology.host, topology.containerAddress), 'the IPv4 path stays');
  });

  t.test('shim ignores router advertisements', async (t) => {
    const topology = await createTopology(t, PREFIX);
    await startDaemon(t, topology, DUAL);
    await waitForDualStack(topology);
    await waitForDad(topology.lan, 'lan0');

    for (const key of ['accept_ra', 'autoconf']) {
      const value = execIn(topology.host, 'cat', [`/proc/sys/net/ipv6/conf/${SHIM}/${key}`]).trim();
      t.equal(value, '0', `${key} is 0 on the shim`);
    }

    const script = join(__dirname, 'helpers', 'send-ra.py');
    const slaac = () => addressesIn(topology.host, 'nic0').filter((address) => address.startsWith('fd00:999:'));
    await waitFor(
      'the parent to act on the router advertisement',
      () => {
        execIn(topology.lan, 'python3', [script, 'lan0', 'fd00:999::']);
        return slaac().length > 0;
      },
      5000,
    );
    // The parent keeps the kernel defaults that a new link gets, so it shows
    // what the shim would have taken without the daemon's settings.
    t.equal(slaac().length, 1, 'control: the parent took a SLAAC address from the advertisement');
    t.match(ipIn(topology.host, ['-6', 'route', 'show', 'default']), 'dev nic0', 'control: the parent took a default route');

    t.same(
      addressesIn(topology.host, SHIM).filter((address) => address.startsWith('fd00:999:')),
      [],
      'the shim took no address from the advertisement',
    );
    t.notMatch(ipIn(topology.host, ['-6', 'route', 'show', 'default']), `dev ${SHIM}`, 'the shim has no default route');
    t.same(routesIn(topology.host, SHIM, '-6').filter((route) => route.includes('ra')), [], 'the shim has no route from the advertisement');
    assertDualStack(t, topology);
  });

  t.test('link-local address is left to the kernel', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, configPath } = await startDaemon(t, topology, DUAL);
    await waitForDualStack(topology);

    assertDualStack(t, topology);
    t.equal(daemon.logged(/removed address/).length, 0, 'the daemon removed no address');
    const status = runCli(topology.host, ['status', '--json', '--config', configPath]);
    t.equal(status.code, 0, 'status exits 0: the link-local address is no drift');
    const [report] = (JSON.parse(status.stdout) as { shims: { differences: string[] }[] }).shims;
    t.same(report?.differences, [], 'status lists no difference');
  });
}
