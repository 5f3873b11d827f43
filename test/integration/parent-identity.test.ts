// Identity of the parent: the parent is matched by name, and a parent that
// is down, has no carrier, is a bridge port or has a smaller MTU is handled
// without a retry loop.
import t, { Test } from 'tap';
import { runCli } from './helpers/cli';
import { createTopology, startDaemon, waitForDad } from './helpers/harness';
import { addressesIn, canPing, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import { requireStrace, traceNetlinkRequests } from './helpers/strace';
import type { Topology } from './helpers/topology';

const PREFIX = 'mpid';
const SHIM = 'mpid-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';

function config(parent = 'nic0', extra = ''): string {
  return `log:
  level: debug
resync: 0
shims:
  - name: ${SHIM}
    parent: ${parent}
    mode: bridge
    addresses: [${ADDRESS}]
    routes: [${ROUTE}]
${extra}`;
}

/** Waits until the shim hangs off `parent` with its address and route. */
async function waitForShimOn(topology: Topology, parent: string): Promise<void> {
  await waitFor(
    `shim on '${parent}'`,
    () => {
      const link = linkIn(topology.host, SHIM);
      const routed = routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`);
      return link?.link === parent && link.flags.includes('UP') && routed;
    },
    10_000,
  );
}

function assertShimOn(t: Test, topology: Topology, parent: string): void {
  const link = linkIn(topology.host, SHIM);
  t.equal(link?.linkinfo?.info_kind, 'macvlan', 'shim is a macvlan');
  t.equal(link?.link, parent, `shim hangs off '${parent}'`);
  t.ok(link?.flags.includes('UP'), 'shim is administratively up');
  t.match(link?.ifalias ?? '', /^managed by macvlan-shim/, 'shim carries the ownership mark');
  t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'shim has exactly the configured address');
  t.same(
    routesIn(topology.host, SHIM).filter((route) => route.endsWith('proto 233')),
    [`${ROUTE} proto 233`],
    'shim has exactly the configured route',
  );
}

/** Adds a second veth `name` whose peer sits in the lan namespace, up. */
function addVeth(topology: Topology, name: string, peer: string): void {
  ipIn(topology.host, ['link', 'add', name, 'type', 'veth', 'peer', 'name', peer, 'netns', topology.lan]);
  ipIn(topology.host, ['link', 'set', name, 'up']);
  ipIn(topology.lan, ['link', 'set', peer, 'up']);
}

/** Renames a link; the kernel refuses to rename a veth while it is up. */
function rename(topology: Topology, from: string, to: string): void {
  ipIn(topology.host, ['link', 'set', from, 'down']);
  ipIn(topology.host, ['link', 'set', from, 'name', to]);
  ipIn(topology.host, ['link', 'set', to, 'up']);
}

if (requireRoot(t)) {
  t.test('deleted parent: shim waits, then follows the new device', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config());
    await waitForShimOn(topology, 'nic0');
    const oldParent = linkIn(topology.host, 'nic0')!.ifindex;

    topology.deleteParent();
    await waitFor('waiting status', () => notify.lastStatus()?.includes("waiting for parent 'nic0'"));
    t.equal(linkIn(topology.host, SHIM), undefined, 'no shim while the parent is missing');
    t.equal(notify.lastStatus(), "0/1 up, waiting for parent 'nic0'", 'STATUS= says what the shim waits for');

    topology.createParent();
    await waitForShimOn(topology, 'nic0');
    t.not(linkIn(topology.host, 'nic0')!.ifindex, oldParent, 'the parent is a new device');
    assertShimOn(t, topology, 'nic0');
    await waitFor('ready status', () => notify.lastStatus() === '1/1 shims up');
    t.equal(daemon.logged("parent 'nic0' is back").length, 1, 'the return of the parent is logged');
    t.ok(canPing(topology.host, topology.containerAddress), 'host reaches the container again');
  });

  t.test('parent renamed away: own shim deleted, then back', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config());
    await waitForShimOn(topology, 'nic0');

    rename(topology, 'nic0', 'nic0old');
    await waitFor('shim deleted', () => linkIn(topology.host, SHIM) === undefined);
    await waitFor('waiting status', () => notify.lastStatus()?.includes("waiting for parent 'nic0'"));
    t.equal(linkIn(topology.host, SHIM), undefined, 'the shim on the renamed device is deleted');
    t.equal(
      daemon.logged('deleted shim').at(-1)?.reason,
      "its parent is now named 'nic0old', not 'nic0'",
      'the log says why',
    );
    t.equal(notify.lastStatus(), "0/1 up, waiting for parent 'nic0'", 'the shim waits for the configured name');

    rename(topology, 'nic0old', 'nic0');
    await waitForShimOn(topology, 'nic0');
    assertShimOn(t, topology, 'nic0');
    t.ok(canPing(topology.host, topology.containerAddress), 'host reaches the container through the renamed device');
  });

  t.test('device renamed to the parent name is used at once', async (t) => {
    const topology = await createTopology(t, PREFIX);
    topology.deleteParent();
    const { notify } = await startDaemon(t, topology, config());
    await notify.waitFor('READY=1');
    t.equal(notify.lastStatus(), "0/1 up, waiting for parent 'nic0'", 'the shim waits');

    addVeth(topology, 'nicnew', 'lannew');
    const device = linkIn(topology.host, 'nicnew')!.ifindex;
    rename(topology, 'nicnew', 'nic0');
    await waitForShimOn(topology, 'nic0');
    t.equal(linkIn(topology.host, 'nic0')?.ifindex, device, 'nic0 is the renamed device');
    assertShimOn(t, topology, 'nic0');
  });

  t.test('admin-down parent still gets its shim', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'set', 'nic0', 'down']);
    const { notify } = await startDaemon(t, topology, config());
    await notify.waitFor('READY=1');
    await waitForShimOn(topology, 'nic0');

    assertShimOn(t, topology, 'nic0');
    t.equal(notify.lastStatus(), '1/1 shims up', 'the shim is not waiting');
    t.equal(
      (linkIn(topology.host, SHIM) as { operstate?: string }).operstate,
      'LOWERLAYERDOWN',
      'the shim is up but its lower layer is down',
    );

    ipIn(topology.host, ['link', 'set', 'nic0', 'up']);
    await waitFor('container reachable', () => canPing(topology.host, topology.containerAddress), 10_000);
    assertShimOn(t, topology, 'nic0');
  });

  t.test('carrier-less parent still gets its shim', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.lan, ['link', 'set', 'lan0', 'down']);
    await waitFor('parent without carrier', () => linkIn(topology.host, 'nic0')?.flags.includes('NO-CARRIER'));
    const { notify } = await startDaemon(t, topology, config());
    await notify.waitFor('READY=1');
    await waitForShimOn(topology, 'nic0');

    assertShimOn(t, topology, 'nic0');
    t.equal(notify.lastStatus(), '1/1 shims up', 'the shim is not waiting');

    ipIn(topology.lan, ['link', 'set', 'lan0', 'up']);
    await waitFor('container reachable', () => canPing(topology.host, topology.containerAddress), 10_000);
    assertShimOn(t, topology, 'nic0');
  });

  t.test('bridge port parent is a conflict naming the bridge', async (t) => {
    const topology = await createTopology(t, PREFIX);
    addVeth(topology, 'nic1', 'lan1');
    ipIn(topology.host, ['link', 'add', 'br0', 'type', 'bridge']);
    ipIn(topology.host, ['link', 'set', 'nic1', 'master', 'br0']);
    await waitForDad(topology.host, 'nic1');
    const { daemon, notify, configPath } = await startDaemon(t, topology, config('nic1'));
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    const errors = daemon.logs.filter((line) => line.level === 50);
    t.equal(errors.length, 1, 'one error is logged');
    t.match(errors[0]?.msg, "parent 'nic1' is enslaved to 'br0'", 'the error names the bridge');
    t.match(errors[0]?.msg, "use 'br0' as the parent", 'the error suggests the bridge as parent');
    t.equal(linkIn(topology.host, SHIM), undefined, 'no shim was created');
    t.notOk(linkIn(topology.host, 'nic1')?.flags.includes('PROMISC'), 'the port was not made promiscuous');

    const check = runCli(topology.host, ['check', '--config', configPath]);
    t.equal(check.code, 1, 'check exits 1');
    t.match(check.stdout, "use 'br0' as the parent", 'check suggests the bridge');

    if (requireStrace(t)) {
      const requests = await traceNetlinkRequests(daemon.child.pid!, 2500);
      t.equal(requests.linkDumps, 0, `no retry while the topology stays (requests: ${requests.all.join(', ')})`);
    }

    ipIn(topology.host, ['link', 'set', 'nic1', 'nomaster']);
    await waitForShimOn(topology, 'nic1');
    assertShimOn(t, topology, 'nic1');
    await waitFor('ready status', () => notify.lastStatus() === '1/1 shims up');
  });

  t.test('larger MTU than the parent is a conflict', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config('nic0', '    mtu: 9000\n'));
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    t.equal(
      daemon.logged(/mtu 9000 is larger than the mtu 1500 of parent 'nic0'/).length,
      1,
      'the error gives both MTUs',
    );
    t.equal(daemon.logged(/Invalid argument|EINVAL/).length, 0, 'the kernel was not asked');
    t.equal(linkIn(topology.host, SHIM), undefined, 'no shim was created');

    ipIn(topology.host, ['link', 'set', 'nic0', 'mtu', '9000']);
    await waitForShimOn(topology, 'nic0');
    assertShimOn(t, topology, 'nic0');
    t.equal(linkIn(topology.host, SHIM)?.mtu, 9000, 'the shim has the configured MTU');
  });
}
