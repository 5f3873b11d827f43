// Storms: a parent that flaps or is recreated thousands of times in a row.
// The daemon must stay alive with bounded memory, stop using CPU once the
// storm is over, and converge to the right state shortly after.
//
// No assertion here is about speed: the waits are generous, and the
// benchmarks measure how fast the daemon converges.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { Test } from 'tap';
import type { DaemonProcess } from './helpers/daemon';
import { createTopology, describeExit, isRunning, startDaemon } from './helpers/harness';
import { addressesIn, canPing, linkIn, routesIn } from './helpers/netns';
import { readCpuTicks, readRssKiB } from './helpers/proc';
import { requireRoot } from './helpers/root';
import { run, waitFor } from './helpers/sh';
import type { Topology } from './helpers/topology';

const PREFIX = 'mstm';
const SHIM = 'mstm-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';

/** Down and up pairs in the flap storm. */
const FLAPS = 5000;
/** Delete and add pairs in the recreation storm. */
const RECREATIONS = 1000;
/** Growth of the resident set across one storm that counts as bounded. */
const MAX_RSS_GROWTH_KIB = 64 * 1024;
/** CPU the daemon may use in a quiet second after the storm (clock ticks of 10 ms). */
const MAX_IDLE_TICKS_PER_SECOND = 5;

const CONFIG = `log:
  level: info
resync: 0
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [${ADDRESS}]
    routes: [${ROUTE}]
`;

function runBatch(topology: Topology, name: string, lines: string[]): void {
  const path = join(topology.directory, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  run('ip', ['-n', topology.host, '-batch', path]);
}

async function waitForShim(topology: Topology): Promise<void> {
  await waitFor(
    'shim converged after the storm',
    () => {
      const link = linkIn(topology.host, SHIM);
      return link?.flags.includes('UP') && routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`);
    },
    15_000,
  );
}

/** Checks the daemon after a storm: alive, converged, bounded memory, idle CPU. */
async function assertRecovered(t: Test, topology: Topology, daemon: DaemonProcess, rssBefore: number): Promise<void> {
  const pid = daemon.child.pid!;
  t.equal(await describeExit(daemon), 'running', 'the daemon survives the storm');
  if (!isRunning(daemon)) return;

  await waitForShim(topology);
  const link = linkIn(topology.host, SHIM);
  t.equal(link?.link, 'nic0', 'the shim hangs off the parent');
  t.match(link?.ifalias ?? '', /^managed by macvlan-shim/, 'the shim carries the ownership mark');
  t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'the shim has exactly the configured address');
  t.ok(linkIn(topology.host, 'nic0')?.flags.includes('PROMISC'), 'the parent is promiscuous');
  await waitFor('container reachable', () => canPing(topology.host, topology.containerAddress), 10_000);

  t.equal(await describeExit(daemon), 'running', 'the daemon is still alive once converged');
  if (!isRunning(daemon)) return;
  const rssAfter = readRssKiB(pid);
  t.ok(
    rssAfter - rssBefore <= MAX_RSS_GROWTH_KIB,
    `resident memory stays bounded (${rssBefore} KiB before, ${rssAfter} KiB after)`,
  );
  const ticks = readCpuTicks(pid);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const idle = readCpuTicks(pid) - ticks;
  t.ok(idle <= 2 * MAX_IDLE_TICKS_PER_SECOND, `the daemon is idle after the storm (${idle} ticks of CPU in 2 s)`);
}

if (requireRoot(t)) {
  t.test('parent flapping thousands of times', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, CONFIG);
    await notify.waitFor('READY=1');
    await waitForShim(topology);
    const rssBefore = readRssKiB(daemon.child.pid!);

    const lines: string[] = [];
    for (let i = 0; i < FLAPS; i++) lines.push('link set nic0 down', 'link set nic0 up');
    runBatch(topology, 'flap.batch', lines);

    await assertRecovered(t, topology, daemon, rssBefore);
  });

  t.test('parent recreated thousands of times', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, CONFIG);
    await notify.waitFor('READY=1');
    await waitForShim(topology);
    const rssBefore = readRssKiB(daemon.child.pid!);

    const lines = ['link delete nic0'];
    for (let i = 0; i < RECREATIONS; i++) {
      lines.push(`link add nic0 type veth peer name lan0 netns ${topology.lan}`, 'link set nic0 up', 'link delete nic0');
    }
    runBatch(topology, 'recreate.batch', lines);
    topology.createParent();

    await assertRecovered(t, topology, daemon, rssBefore);
  });
}
