// Transient failures: a request the kernel rejects for a reason that can go
// away is retried with exponential back-off, and each retry is logged with
// its errno.
//
// The failure here is real: a macvlan cannot come up with the MAC of
// another macvlan on the same parent (EADDRINUSE), so the shim is configured
// with the container link's MAC until the test changes the container's MAC.
import t from 'tap';
import { createTopology, startDaemon } from './helpers/harness';
import { addressesIn, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';

const PREFIX = 'mrty';
const SHIM = 'mrty-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';

/** The first back-off delays of a retried request, in milliseconds. */
const RETRY_DELAYS = [500, 1000, 2000];
const SLACK_MS = 50;

function config(mac: string): string {
  return `log:
  level: debug
resync: 0
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [${ADDRESS}]
    routes: [${ROUTE}]
    mac: ${mac}
`;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

if (requireRoot(t)) {
  t.test('busy MAC: set-up retried with back-off until it frees', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const containerMac = linkIn(topology.container, 'ctr0')!.address;
    const { daemon, notify } = await startDaemon(t, topology, config(containerMac));
    const failure = new RegExp(`^set link '${SHIM}' up failed: EADDRINUSE .*uses this MAC.*; retrying in `);
    await daemon.waitForLog(failure, 1, 10_000);
    const index = linkIn(topology.host, SHIM)?.ifindex;
    await daemon.waitForLog(failure, RETRY_DELAYS.length, 10_000);

    const retries = daemon.logged(failure).slice(0, RETRY_DELAYS.length);
    t.same(
      retries.map((line) => line.msg.replace(failure, '')),
      RETRY_DELAYS.map(formatDelay),
      'each retry waits twice as long as the one before',
    );
    t.same(retries.map((line) => line.attempt), [1, 2, 3], 'each retry is numbered');
    t.same(retries.map((line) => line.errno), ['EADDRINUSE', 'EADDRINUSE', 'EADDRINUSE'], 'each retry carries the errno');
    t.same(retries.map((line) => line.level), [40, 40, 40], 'retries are warnings');
    for (let i = 1; i < retries.length; i++) {
      const waited = Number(retries[i].time) - Number(retries[i - 1].time);
      t.ok(
        waited >= RETRY_DELAYS[i - 1] - SLACK_MS,
        `attempt ${i + 1} came after the announced delay (${waited} ms, announced ${RETRY_DELAYS[i - 1]} ms)`,
      );
    }
    t.equal(notify.lastStatus(), `0/1 up, '${SHIM}' failed, retrying`, 'STATUS= shows the failing shim');
    t.ok(index, 'the shim exists while its set-up is retried');
    t.equal(linkIn(topology.host, SHIM)?.ifindex, index, 'the shim was created once, not over and over');

    ipIn(topology.container, ['link', 'set', 'ctr0', 'address', '02:00:00:00:01:70']);
    await daemon.waitForLog('shim ready', 1, 10_000);
    const link = linkIn(topology.host, SHIM);
    t.ok(link?.flags.includes('UP'), 'the shim came up at a later retry');
    t.equal(link?.address, containerMac, 'with the configured MAC');
    t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'with its address');
    await waitFor('route', () => routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`));
    await waitFor('ready status', () => notify.lastStatus() === '1/1 shims up');
  });
}
