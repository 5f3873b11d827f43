import t, { Test } from 'tap';
import { DaemonProcess } from './helpers/daemon';
import { addressesIn, canPing, ipIn, linkIn, routesIn } from './helpers/netns';
import { NotifyListener } from './helpers/notify';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import { Topology } from './helpers/topology';

const SHIM = 'mcore-shim';

const CONFIG = `
log:
  level: debug
shims:
  - name: ${SHIM}
    parent: nic0
    mode: bridge
    addresses: [192.168.124.190/32]
    routes: [192.168.124.160/27]
`;

const CHANGED = CONFIG.replace('192.168.124.190/32', '192.168.124.189/32');

if (requireRoot(t)) {
  const topology = new Topology('mcore');
  let listener: NotifyListener;
  let daemon: DaemonProcess | undefined;

  t.before(async () => {
    topology.create();
    listener = await NotifyListener.start();
  });
  t.teardown(async () => {
    await daemon?.stop();
    listener?.stop();
    topology.destroy();
  });

  const start = (config: string) =>
    new DaemonProcess(topology.host, topology.writeConfig(config), { NOTIFY_SOCKET: listener.path });
  const shim = () => linkIn(topology.host, SHIM);
  const reachable = () => canPing(topology.host, topology.containerAddress);

  /** Asserts the exact kernel state of a converged shim. */
  function assertConverged(t: Test, address = '192.168.124.190/32'): void {
    const link = shim();
    t.ok(link, 'shim exists');
    t.equal(link?.linkinfo?.info_kind, 'macvlan', 'shim is a macvlan');
    t.equal(link?.linkinfo?.info_data?.mode, 'bridge', 'macvlan mode is bridge');
    t.equal(link?.link, topology.parent, 'shim hangs off the parent');
    t.ok(link?.flags.includes('UP'), 'shim is up');
    t.match(link?.ifalias ?? '', /^managed by macvlan-shim/, 'shim carries the ownership mark');
    t.same(addressesIn(topology.host, SHIM), [address], 'shim has exactly the configured address');
    t.ok(routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'), 'configured route is present');
    t.ok(linkIn(topology.host, topology.parent)?.flags.includes('PROMISC'), 'parent is promiscuous');
  }

  t.test('host cannot reach the container without a shim', async (t) => {
    t.notOk(reachable(), 'ping from host to container fails');
  });

  t.test('daemon creates the shim and sends READY', async (t) => {
    daemon = start(CONFIG);
    await listener.waitFor('READY=1');
    t.equal(listener.lastStatus(), '1/1 shims up');
    assertConverged(t);
    t.ok(reachable(), 'host reaches the container through the shim');
  });

  t.test('parent recreated: shim comes back', async (t) => {
    topology.deleteParent();
    await daemon!.waitForLog(/parent 'nic0' is not present/);
    await waitFor('status waiting', () => listener.lastStatus()?.includes("waiting for parent 'nic0'"));
    topology.createParent();
    await daemon!.waitForLog('recreated macvlan shim');
    await waitFor('shim converged', () => addressesIn(topology.host, SHIM).length === 1 && routesIn(topology.host, SHIM).length > 0);
    assertConverged(t);
    t.ok(reachable(), 'host reaches the container again');
    t.equal(daemon!.logged(/parent 'nic0' is not present/).length, 1, 'the missing parent is logged once');
  });

  t.test('shim deleted by hand is recreated', async (t) => {
    const before = daemon!.logged('recreated macvlan shim').length;
    ipIn(topology.host, ['link', 'delete', SHIM]);
    await daemon!.waitForLog('recreated macvlan shim', before + 1);
    await waitFor('shim converged', () => routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'));
    assertConverged(t);
    t.ok(reachable(), 'host reaches the container again');
  });

  t.test('removed address and route are restored', async (t) => {
    const index = shim()!.ifindex;
    ipIn(topology.host, ['address', 'delete', '192.168.124.190/32', 'dev', SHIM]);
    await daemon!.waitForLog('restored address');
    ipIn(topology.host, ['route', 'delete', '192.168.124.160/27', 'dev', SHIM, 'proto', '233']);
    await daemon!.waitForLog('restored route');
    await waitFor('route back', () => routesIn(topology.host, SHIM).includes('192.168.124.160/27 proto 233'));
    assertConverged(t);
    t.equal(shim()!.ifindex, index, 'the shim itself was not recreated');
    t.ok(reachable(), 'host reaches the container');
  });

  t.test('reload with a changed address swaps it in place', async (t) => {
    const index = shim()!.ifindex;
    topology.writeConfig(CHANGED);
    daemon!.signal('SIGHUP');
    await listener.waitFor('RELOADING=1');
    await listener.waitFor('READY=1', 2);
    t.ok(listener.assignments().some((line) => /^MONOTONIC_USEC=\d+$/.test(line)), 'RELOADING carries MONOTONIC_USEC');
    await waitFor('new address', () => addressesIn(topology.host, SHIM).join() === '192.168.124.189/32');
    assertConverged(t, '192.168.124.189/32');
    t.equal(shim()!.ifindex, index, 'the shim keeps its ifindex');
    t.ok(reachable(), 'host reaches the container');
  });

  t.test('reload with an invalid file keeps the running state', async (t) => {
    const index = shim()!.ifindex;
    topology.writeConfig('shims:\n  - name: [broken\n');
    daemon!.signal('SIGHUP');
    await listener.waitFor('RELOADING=1', 2);
    await listener.waitFor('READY=1', 3);
    await daemon!.waitForLog(/reload rejected/);
    t.ok(daemon!.logs.some((line) => line.level === 50 && /:\d+:\d+: error/.test(line.msg)), 'the config error is logged with its position');
    assertConverged(t, '192.168.124.189/32');
    t.equal(shim()!.ifindex, index, 'the shim is untouched');
  });

  t.test('stop leaves the shim; a restart adopts it without a flap', async (t) => {
    const index = shim()!.ifindex;
    const code = await daemon!.stop();
    t.equal(code, 0, 'exit code 0 on SIGTERM');
    t.ok(listener.count('STOPPING=1') >= 1, 'STOPPING=1 sent');
    t.equal(shim()?.ifindex, index, 'shim left in place');

    daemon = start(CHANGED);
    await listener.waitFor('READY=1', 4);
    t.equal(shim()?.ifindex, index, 'shim keeps its ifindex across the restart');
    t.equal(daemon.logged(/created macvlan shim/).length, 0, 'nothing was created');
    t.equal(daemon.logged(/address|route/).filter((line) => line.level >= 30).length, 0, 'no address or route was touched');
    t.ok(reachable(), 'host reaches the container');
  });
}
