// Never lock the operator out: the parent's addresses, its connected route
// and the default route are never touched, configs that would take them
// over are refused, and reloads swap addresses, routes and parents without
// a gap or a busy NIC.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t, { Test } from 'tap';
import { runCli } from './helpers/cli';
import { DaemonProcess } from './helpers/daemon';
import { createTopology, describeExit, startDaemon } from './helpers/harness';
import { IpMonitor } from './helpers/monitor';
import { addressesIn, canPing, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import type { Topology } from './helpers/topology';

const PREFIX = 'mlck';
const SHIM = 'mlck-shim';
const GATEWAY = '192.168.124.1';

function config(addresses: string, routes: string, parent = 'nic0'): string {
  return `log:
  level: debug
resync: 0
shims:
  - name: ${SHIM}
    parent: ${parent}
    addresses: [${addresses}]
    routes: [${routes}]
`;
}

const GOOD = config('192.168.124.190/32', '192.168.124.160/27');

/**
 * Gives the host a default route through a gateway in the lan namespace,
 * as on a real host whose SSH session comes in over the parent.
 */
async function createLockoutTopology(t: Test): Promise<Topology> {
  const topology = await createTopology(t, PREFIX);
  ipIn(topology.lan, ['address', 'add', `${GATEWAY}/24`, 'dev', 'lan0']);
  ipIn(topology.host, ['route', 'add', 'default', 'via', GATEWAY, 'dev', 'nic0']);
  return topology;
}

/**
 * Returns, as JSON, what the operator depends on: the parent's addresses
 * and routes and the default routes. The parent's flags are left out,
 * because the daemon may turn promiscuous mode on.
 */
function operatorState(topology: Topology): string {
  const show = (args: string[]) => ipIn(topology.host, ['-j', ...args]);
  const [parent] = JSON.parse(show(['address', 'show', 'dev', 'nic0'])) as { addr_info: unknown[] }[];
  return JSON.stringify({
    addresses: parent?.addr_info,
    routes4: JSON.parse(show(['-4', 'route', 'show', 'table', 'all', 'dev', 'nic0'])),
    routes6: JSON.parse(show(['-6', 'route', 'show', 'table', 'all', 'dev', 'nic0'])),
    defaults4: JSON.parse(show(['-4', 'route', 'show', 'default'])),
    defaults6: JSON.parse(show(['-6', 'route', 'show', 'default'])),
  });
}

/** Asserts that a refused config left the operator's state alone and created no shim. */
function assertUntouched(t: Test, topology: Topology, before: string): void {
  t.equal(operatorState(topology), before, "the parent's addresses, its routes and the default route are unchanged");
  t.equal(linkIn(topology.host, SHIM), undefined, 'no shim was created');
  t.ok(canPing(topology.host, GATEWAY), 'the host still reaches its gateway over the parent');
}

/** Runs `ping` in the background for `count` packets, 10 ms apart. */
function startPing(topology: Topology, count: number): Promise<{ sent: number; received: number; output: string }> {
  const child = spawn('ip', ['netns', 'exec', topology.host, 'ping', '-n', '-c', String(count), '-i', '0.01', '-W', '1', topology.containerAddress]);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (output += text));
  return once(child, 'exit').then(() => {
    const match = /(\d+) packets transmitted, (\d+) received/.exec(output);
    return { sent: Number(match?.[1] ?? 0), received: Number(match?.[2] ?? 0), output };
  });
}

if (requireRoot(t)) {
  t.test('a working shim leaves the operator state alone', async (t) => {
    const topology = await createLockoutTopology(t);
    const before = operatorState(topology);
    await startDaemon(t, topology, GOOD);
    await waitFor('shim converged', () => routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'), 10_000);

    t.equal(operatorState(topology), before, "the parent's addresses, its routes and the default route are unchanged");
    t.ok(canPing(topology.host, topology.containerAddress), 'the host reaches the container');
    t.ok(canPing(topology.host, GATEWAY), 'and its gateway');
  });

  t.test('parent address on the shim is refused', async (t) => {
    const topology = await createLockoutTopology(t);
    const before = operatorState(topology);
    const { daemon, notify, configPath } = await startDaemon(t, topology, config('192.168.124.30/32', '192.168.124.160/27'));
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    t.equal(
      daemon.logged(/address 192\.168\.124\.30\/32 is already an address of parent 'nic0'/).length,
      1,
      'the error says the address belongs to the parent',
    );
    assertUntouched(t, topology, before);

    const status = runCli(topology.host, ['status', '--config', configPath]);
    t.equal(status.code, 1, 'status exits 1');
    t.match(status.stdout, "already an address of parent 'nic0'", 'status gives the reason');
    const check = runCli(topology.host, ['check', '--config', configPath]);
    t.equal(check.code, 1, 'check refuses the config the daemon refuses');
    t.match(check.stdout + check.stderr, "already an address of parent 'nic0'", 'check says why');
  });

  t.test("parent's connected prefix as a route is refused", async (t) => {
    const topology = await createLockoutTopology(t);
    const before = operatorState(topology);
    const { daemon, notify, configPath } = await startDaemon(t, topology, config('192.168.124.190/32', '192.168.124.0/24'));
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    t.equal(
      daemon.logged(/route 192\.168\.124\.0\/24 is the whole connected prefix of parent 'nic0'/).length,
      1,
      'the error says the route is the connected prefix',
    );
    assertUntouched(t, topology, before);

    const check = runCli(topology.host, ['check', '--config', configPath]);
    t.equal(check.code, 1, 'check refuses the config the daemon refuses');
    t.match(check.stdout + check.stderr, 'connected prefix', 'check says why');
  });

  for (const route of ['0.0.0.0/0', '::/0']) {
    t.test(`default route ${route} is rejected by validation`, async (t) => {
      const topology = await createLockoutTopology(t);
      const before = operatorState(topology);
      const path = topology.writeConfig(config('192.168.124.190/32', route));

      const check = runCli(topology.host, ['check', '--config', path]);
      t.equal(check.code, 1, 'check exits 1');
      t.match(check.stderr, 'default route', 'check says it would be a default route');
      t.match(check.stderr, `${path}: invalid`, 'check calls the file invalid');

      const daemon = new DaemonProcess(topology.host, path);
      t.teardown(() => daemon.stop());
      await waitFor('daemon exit', () => daemon.child.exitCode !== null || daemon.child.signalCode !== null, 10_000);
      t.equal(await describeExit(daemon), 'exit 1; stderr: ', 'the daemon refuses to start');
      t.equal(daemon.logged(/config is invalid; not starting/).length, 1, 'and says why');
      assertUntouched(t, topology, before);
    });
  }

  t.test('parent change on reload: old shim goes first', async (t) => {
    const topology = await createLockoutTopology(t);
    ipIn(topology.host, ['link', 'add', 'nic1', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', topology.lan]);
    ipIn(topology.host, ['link', 'set', 'nic1', 'up']);
    const { daemon, notify } = await startDaemon(t, topology, GOOD);
    await waitFor('shim on nic0', () => routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'), 10_000);
    const old = linkIn(topology.host, SHIM)!;
    const monitor = await IpMonitor.start(topology.host);
    t.teardown(() => monitor.stop());

    topology.writeConfig(config('192.168.124.190/32', '192.168.124.160/27', 'nic1'));
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 2);
    await waitFor('shim on nic1', () => linkIn(topology.host, SHIM)?.link === 'nic1', 10_000);

    const deleted = monitor.indexOf(new RegExp(`^Deleted ${old.ifindex}: ${SHIM}@nic0:`));
    const created = monitor.indexOf(new RegExp(`^\\d+: ${SHIM}@nic1:`));
    t.ok(deleted >= 0, 'the old shim was deleted');
    t.ok(created >= 0, 'a new shim was created on nic1');
    t.ok(deleted < created, `the old shim went before the new one came (lines ${deleted} and ${created})`);
    t.same(addressesIn(topology.host, SHIM), ['192.168.124.190/32'], 'the new shim has the address');
    t.equal(operatorState(topology).includes(SHIM), false, 'nothing of the shim is left on nic0');
  });

  t.test('address and route change on reload: new before old', async (t) => {
    const topology = await createLockoutTopology(t);
    const { daemon, notify } = await startDaemon(t, topology, GOOD);
    await waitFor('shim converged', () => routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'), 10_000);
    const index = linkIn(topology.host, SHIM)!.ifindex;
    const monitor = await IpMonitor.start(topology.host);
    t.teardown(() => monitor.stop());
    const ping = startPing(topology, 150);

    await new Promise((resolve) => setTimeout(resolve, 500));
    topology.writeConfig(config('192.168.124.189/32', '192.168.124.128/26'));
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 2);
    const { sent, received, output } = await ping;

    const added = monitor.indexOf(/^\d+: mlck-shim +inet 192\.168\.124\.189\/32/);
    const removed = monitor.indexOf(/^Deleted \d+: mlck-shim +inet 192\.168\.124\.190\/32/);
    t.ok(added >= 0 && removed >= 0, 'the monitor saw both address changes');
    t.ok(added < removed, `the new address came before the old one went (lines ${added} and ${removed})`);
    const routeAdded = monitor.indexOf(/^192\.168\.124\.128\/26 dev mlck-shim proto 233/);
    const routeRemoved = monitor.indexOf(/^Deleted 192\.168\.124\.160\/27 dev mlck-shim proto 233/);
    t.ok(routeAdded >= 0 && routeRemoved >= 0, 'the monitor saw both route changes');
    t.ok(routeAdded < routeRemoved, `the new route came before the old one went (lines ${routeAdded} and ${routeRemoved})`);

    t.equal(linkIn(topology.host, SHIM)?.ifindex, index, 'the shim kept its ifindex');
    t.same(addressesIn(topology.host, SHIM), ['192.168.124.189/32'], 'the shim has only the new address');
    t.same(routesIn(topology.host, SHIM), ['192.168.124.128/26 proto 233'], 'the shim has only the new route');
    t.equal(sent, 150, 'the ping ran to the end');
    // A reply already on its way to the old address when that address
    // goes is lost; more than one lost reply would mean a gap.
    t.ok(received >= sent - 1, `the container stayed reachable during the reload (${received} of ${sent} replies)\n${output.slice(-200)}`);
  });
}
