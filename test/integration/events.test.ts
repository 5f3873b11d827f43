// Lost events: the periodic resync writes nothing when nothing drifted, and
// an overflow of the event socket (ENOBUFS) leads to a full resync.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createTopology, describeExit, isRunning, startDaemon, waitForDad } from './helpers/harness';
import { IpMonitor } from './helpers/monitor';
import { addressesIn, canPing, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { run, waitFor } from './helpers/sh';
import { requireStrace, traceNetlinkRequests } from './helpers/strace';
import type { Topology } from './helpers/topology';

const PREFIX = 'mevt';
const SHIM = 'mevt-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';

/** Addresses added to and removed from `lo` to flood the event socket. */
const FLOOD_ADDRESSES = 10_000;

function config(resyncSeconds: number): string {
  return `log:
  level: debug
resync: ${resyncSeconds}
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [${ADDRESS}]
    routes: [${ROUTE}]
`;
}

/** Waits until the shim is converged and its IPv6 link-local address is no longer tentative. */
async function waitForQuietShim(topology: Topology): Promise<void> {
  await waitFor('shim converged', () => routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`), 10_000);
  await waitForDad(topology.host, SHIM);
}

/**
 * Writes an `ip -batch` file that adds and then removes `count` /32
 * addresses on lo: two address and two route notifications per address.
 */
function writeFloodBatch(topology: Topology, count: number): string {
  const lines: string[] = [];
  const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  for (let i = 1; i <= count; i++) lines.push(`address add ${address(i)} dev lo`);
  for (let i = 1; i <= count; i++) lines.push(`address delete ${address(i)} dev lo`);
  const path = join(topology.directory, 'flood.batch');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

if (requireRoot(t)) {
  t.test('periodic resync writes nothing when nothing drifted', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config(1));
    await notify.waitFor('READY=1');
    await waitForQuietShim(topology);
    const monitor = await IpMonitor.start(topology.host);
    t.teardown(() => monitor.stop());
    const logsBefore = daemon.logs.length;

    if (requireStrace(t)) {
      const requests = await traceNetlinkRequests(daemon.child.pid!, 3500);
      t.ok(requests.linkDumps >= 3, `a full dump about every second (${requests.linkDumps} link dumps in 3.5 s)`);
      t.same(requests.writes, [], 'no request that changes the kernel');
    } else {
      await new Promise((resolve) => setTimeout(resolve, 3500));
    }
    t.same(monitor.lines, [], 'the kernel reported no change in the namespace');
    const changes = daemon.logs.slice(logsBefore).filter((line) => line.level >= 30);
    t.same(changes.map((line) => line.msg), [], 'nothing was logged at info level or above');
  });

  t.test('resync 0 turns the periodic resync off', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config(0));
    await notify.waitFor('READY=1');
    await waitForQuietShim(topology);

    if (requireStrace(t)) {
      const requests = await traceNetlinkRequests(daemon.child.pid!, 2500);
      t.equal(requests.linkDumps, 0, `no dump while nothing happens (requests: ${requests.all.join(', ')})`);
    }
  });

  t.test('event queue overflow leads to a full resync', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, config(0));
    await notify.waitFor('READY=1');
    await waitForQuietShim(topology);
    const batch = writeFloodBatch(topology, FLOOD_ADDRESSES);
    const index = linkIn(topology.host, SHIM)!.ifindex;

    // Stopped, the daemon reads nothing, so the flood fills its socket's
    // receive buffer and the deletion of the shim is among the lost events.
    daemon.signal('SIGSTOP');
    try {
      run('ip', ['-n', topology.host, '-batch', batch]);
      ipIn(topology.host, ['link', 'delete', SHIM]);
    } finally {
      daemon.signal('SIGCONT');
    }
    const overflow = 'kernel event queue overflowed (ENOBUFS); resyncing from a full dump';
    await waitFor('overflow warning or exit', () => daemon.logged(overflow).length > 0 || !isRunning(daemon), 10_000).catch(
      () => undefined,
    );

    t.equal(await describeExit(daemon), 'running', 'the daemon survives the overflow');
    t.equal(daemon.logged(overflow).length, 1, 'the overflow is logged once as a warning');
    t.equal(daemon.logged(overflow)[0]?.level, 40, 'at warn level');
    if (!isRunning(daemon)) return;

    await waitFor('shim recreated', () => routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`), 10_000);
    t.not(linkIn(topology.host, SHIM)?.ifindex, index, 'the deleted shim was recreated');
    t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'with its address');
    t.ok(canPing(topology.host, topology.containerAddress), 'host reaches the container again');
    t.equal(notify.lastStatus(), '1/1 shims up', 'STATUS= shows the shim up');
  });
}
