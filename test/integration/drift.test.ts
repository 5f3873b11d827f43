import t from 'tap';
import { createTopology, startDaemon } from './helpers/harness';
import { addressesIn, execIn, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';

// Drift that the kernel or the host brings about without touching the shim
// directly: a parent that gets its address later, an MTU dip that resets the
// IPv6 settings, shims left behind by an older config, a deleted record of
// promiscuous mode, and reloads that fail more than once.

const PREFIX = 'mdrf';
const SHIM = 'mdrf-shim';

const config = (routes: string, extra = '') => `log:
  level: debug
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [192.168.124.190/32]
    routes: [${routes}]
${extra}`;

const sysctl = (namespace: string, key: string) =>
  execIn(namespace, 'cat', [`/proc/sys/net/ipv6/conf/${SHIM}/${key}`]).trim();

if (requireRoot(t)) {
  t.test('lock-out route is taken back when the parent gets its prefix', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['address', 'flush', 'dev', 'nic0']);
    const { daemon, notify } = await startDaemon(t, topology, config('192.168.124.0/24'));
    await notify.waitFor('READY=1');
    t.ok(routesIn(topology.host, SHIM).includes('192.168.124.0/24 proto 233'), 'route added while the parent has no address');

    ipIn(topology.host, ['address', 'add', topology.hostAddress, 'dev', 'nic0']);
    await daemon.waitForLog(/whole connected prefix of parent 'nic0'/);
    await waitFor('route removed', () => !routesIn(topology.host, SHIM).includes('192.168.124.0/24 proto 233'));
    const via = ipIn(topology.host, ['route', 'get', '192.168.124.2']);
    t.match(via, /dev nic0 /, 'the LAN is reached through the parent again');
    await waitFor('conflict status', () => notify.lastStatus() === `0/1 up, conflict on '${SHIM}'`);
  });

  t.test('IPv6 settings come back after an MTU dip', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config('192.168.124.160/27'));
    await notify.waitFor('READY=1');
    t.equal(sysctl(topology.host, 'accept_ra'), '0', 'accept_ra off after creation');

    ipIn(topology.host, ['link', 'set', 'nic0', 'mtu', '1200']);
    ipIn(topology.host, ['link', 'set', 'nic0', 'mtu', '1500']);
    // The shim followed its parent down to 1200; the daemon raises it again
    // because without mtu: the shim follows its parent's MTU.
    await daemon.waitForLog(/re-applied the shim sysctls/);
    t.equal(linkIn(topology.host, SHIM)?.mtu, 1500, 'shim MTU follows the parent back up');
    t.equal(sysctl(topology.host, 'accept_ra'), '0', 'accept_ra off again');
    t.equal(sysctl(topology.host, 'autoconf'), '0', 'autoconf off again');
    t.equal(sysctl(topology.host, 'ndisc_notify'), '1', 'ndisc_notify back on');
  });

  t.test('shim dropped from the config while stopped is removed', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const two = `${config('192.168.124.160/27')}  - name: mdrf-old
    parent: nic0
    addresses: [192.168.124.180/32]
`;
    const first = await startDaemon(t, topology, two);
    await first.notify.waitFor('READY=1');
    t.ok(linkIn(topology.host, 'mdrf-old'), 'second shim created');
    await first.daemon.stop();

    const second = await startDaemon(t, topology, config('192.168.124.160/27'));
    await second.notify.waitFor('READY=1');
    await waitFor('orphan removed', () => linkIn(topology.host, 'mdrf-old') === undefined);
    t.ok(second.daemon.logged('deleted shim that the config no longer lists').some((line) => line.shim === 'mdrf-old'), 'logged with its name');
    t.ok(linkIn(topology.host, SHIM), 'the configured shim stays');
  });

  t.test('promisc record survives a hand-deleted shim', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config('192.168.124.160/27'));
    await notify.waitFor('READY=1');
    t.match(linkIn(topology.host, SHIM)?.ifalias, /parent promisc set/, 'record set at creation');

    ipIn(topology.host, ['link', 'delete', SHIM]);
    await daemon.waitForLog('recreated macvlan shim');
    await waitFor('recreated', () => linkIn(topology.host, SHIM));
    t.match(linkIn(topology.host, SHIM)?.ifalias, /parent promisc set/, 'the new shim carries the record');
  });

  t.test('parent named by an altname is found', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'property', 'add', 'dev', 'nic0', 'altname', 'mdrf-lan']);
    const { notify } = await startDaemon(t, topology, config('192.168.124.160/27').replace('parent: nic0', 'parent: mdrf-lan'));
    await notify.waitFor('READY=1');
    t.equal(notify.lastStatus(), '1/1 shims up');
    t.equal(linkIn(topology.host, SHIM)?.link, 'nic0', 'the shim hangs off the device with that altname');
  });

  t.test('every rejected reload is logged and shown in STATUS', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const good = config('192.168.124.160/27');
    const { daemon, notify, configPath } = await startDaemon(t, topology, good);
    await notify.waitFor('READY=1');
    topology.writeConfig('shims: [broken\n');
    for (let i = 1; i <= 2; i++) {
      daemon.signal('SIGHUP');
      await notify.waitFor('READY=1', i + 1);
      await daemon.waitForLog(/^reload rejected/, i);
    }
    t.equal(daemon.logged(/^reload rejected/).length, 2, 'both rejections are logged');
    t.equal(notify.lastStatus(), '1/1 shims up; last reload rejected: config file invalid');

    t.equal(topology.writeConfig(good), configPath, 'the good config goes back into the same file');
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 4);
    t.equal(notify.lastStatus(), '1/1 shims up', 'a good reload clears the note');
    t.same(addressesIn(topology.host, SHIM), ['192.168.124.190/32'], 'state unchanged throughout');
  });
}
