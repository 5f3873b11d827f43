// Fights: when something else keeps deleting an address or route that the
// daemon restores, the daemon backs off exponentially and warns once per
// back-off step instead of restoring in a tight loop.
import t, { Test } from 'tap';
import type { DaemonProcess, LogLine } from './helpers/daemon';
import { createTopology, startDaemon } from './helpers/harness';
import { addressesIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { succeeds, waitFor } from './helpers/sh';
import type { Topology } from './helpers/topology';

const PREFIX = 'mfgt';
const SHIM = 'mfgt-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';

/** Back-off delays of the first three steps, in milliseconds. */
const STEP_DELAYS = [1000, 2000, 4000];
/** Timer slack allowed when comparing a restore with the end of its hold. */
const SLACK_MS = 50;

const CONFIG = `log:
  level: debug
resync: 0
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [${ADDRESS}]
    routes: [${ROUTE}]
`;

interface Resource {
  /** The resource as the warning names it, such as `address 192.168.124.190/32`. */
  name: string;
  present: () => boolean;
  remove: () => boolean;
  /** Log lines that report one restore of this resource. */
  restores: (daemon: DaemonProcess) => LogLine[];
}

function addressResource(topology: Topology): Resource {
  return {
    name: `address ${ADDRESS}`,
    present: () => addressesIn(topology.host, SHIM).includes(ADDRESS),
    remove: () => succeeds('ip', ['-n', topology.host, 'address', 'delete', ADDRESS, 'dev', SHIM]),
    restores: (daemon) => daemon.logged(/^(restored|added) address$/).filter((line) => line.address === ADDRESS),
  };
}

function routeResource(topology: Topology): Resource {
  return {
    name: `route ${ROUTE}`,
    present: () => routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`),
    remove: () => succeeds('ip', ['-n', topology.host, 'route', 'delete', ROUTE, 'dev', SHIM, 'proto', '233']),
    restores: (daemon) => daemon.logged(/^(restored|added) route$/).filter((line) => line.route === ROUTE),
  };
}

function warningFor(resource: Resource, step: number): string {
  const seconds = STEP_DELAYS[step - 1] / 1000;
  return `${resource.name} keeps being removed by something else; next restore in ${seconds} s (back-off step ${step})`;
}

/**
 * Deletes the resource each time it comes back, until the daemon has warned
 * about back-off step `lastStep` and the hold of that step has passed.
 */
async function fight(daemon: DaemonProcess, resource: Resource, lastStep: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const lastWarning = warningFor(resource, lastStep);
  while (Date.now() < deadline && daemon.logged(lastWarning).length === 0) {
    if (resource.present()) resource.remove();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (resource.present()) resource.remove();
}

/**
 * Waits until the restore after the last warning is in the log as well:
 * the daemon logs it after the kernel reports it, and the log line travels
 * through a pipe.
 */
async function waitForRestoreLog(daemon: DaemonProcess, resource: Resource, lastStep: number): Promise<void> {
  const warnedAt = Number(daemon.logged(warningFor(resource, lastStep))[0]?.time);
  await waitFor('restore logged', () => resource.restores(daemon).some((line) => Number(line.time) > warnedAt), 2000);
}

/** Asserts one warning per step and no restore before the hold of each step ended. */
function assertBackoff(t: Test, daemon: DaemonProcess, resource: Resource, steps: number): void {
  for (let step = 1; step <= steps; step++) {
    const warnings = daemon.logged(warningFor(resource, step));
    t.equal(warnings.length, 1, `one warning for back-off step ${step}`);
    const warning = warnings[0];
    if (!warning) continue;
    t.equal(warning.level, 40, `the step ${step} warning is at warn level`);
    t.equal(warning.resource, resource.name, 'the warning names the resource');
    t.equal(warning.shim, SHIM, 'the warning names the shim');

    const warnedAt = Number(warning.time);
    const next = resource.restores(daemon).find((line) => Number(line.time) > warnedAt);
    t.ok(next, `a restore follows the step ${step} hold`);
    const waited = Number(next?.time) - warnedAt;
    t.ok(
      waited >= STEP_DELAYS[step - 1] - SLACK_MS,
      `the restore after step ${step} waited for its hold (${waited} ms, hold ${STEP_DELAYS[step - 1]} ms)`,
    );
  }
  const others = daemon.logged(/keeps being removed by something else/).filter((line) => line.resource === resource.name);
  t.equal(others.length, steps, `no other fight warnings for ${resource.name}`);
}

if (requireRoot(t)) {
  t.test('address deleted over and over: restores back off', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, CONFIG);
    await notify.waitFor('READY=1');
    const resource = addressResource(topology);

    await fight(daemon, resource, 3);
    await waitFor('address restored after the fight', resource.present, STEP_DELAYS[2] + 2000);
    await waitForRestoreLog(daemon, resource, 3);

    assertBackoff(t, daemon, resource, 3);
    // The kernel flushes the routes through a device when its last IPv4
    // address goes, so the route is restored along with the address.
    t.same(routesIn(topology.host, SHIM), [`${ROUTE} proto 233`], 'the route is back too');
    t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'the address is back once the fight is over');
    await waitFor('ready status', () => notify.lastStatus() === '1/1 shims up', 5000);
  });

  t.test('route deleted over and over: restores back off', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon, notify } = await startDaemon(t, topology, CONFIG);
    await notify.waitFor('READY=1');
    const resource = routeResource(topology);

    await fight(daemon, resource, 2);
    await waitFor('route restored after the fight', resource.present, STEP_DELAYS[1] + 2000);
    await waitForRestoreLog(daemon, resource, 2);

    assertBackoff(t, daemon, resource, 2);
    t.ok(resource.present(), 'the route is back once the fight is over');
    await waitFor('ready status', () => notify.lastStatus() === '1/1 shims up', 5000);
  });
}
