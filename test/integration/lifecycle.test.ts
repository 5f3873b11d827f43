import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { CLI, DaemonProcess } from './helpers/daemon';
import { addressesIn, execIn, linkIn } from './helpers/netns';
import { NotifyListener } from './helpers/notify';
import { requireRoot } from './helpers/root';
import { Topology } from './helpers/topology';

const SHIM = 'mlife-shim';
const CONFIG = `
shims:
  - name: ${SHIM}
    parent: nic0
    addresses: [192.168.124.190/32]
    routes: [192.168.124.160/27]
`;

if (requireRoot(t)) {
  const topology = new Topology('mlife');
  t.before(() => topology.create());
  t.teardown(() => topology.destroy());

  t.test('runs without NOTIFY_SOCKET', async (t) => {
    const env = { NOTIFY_SOCKET: '' };
    const daemon = new DaemonProcess(topology.host, topology.writeConfig(CONFIG), env);
    t.teardown(() => daemon.stop());
    await daemon.waitForLog('ready');
    t.ok(linkIn(topology.host, SHIM), 'shim created');
    t.equal(await daemon.stop(), 0, 'clean exit');
    t.same(daemon.stderr, [], 'nothing on stderr');
  });

  t.test('pings the watchdog at half the interval', async (t) => {
    const listener = await NotifyListener.start();
    t.teardown(() => listener.stop());
    const daemon = new DaemonProcess(topology.host, topology.writeConfig(CONFIG), {
      NOTIFY_SOCKET: listener.path,
      WATCHDOG_USEC: '400000',
    });
    t.teardown(() => daemon.stop());
    await listener.waitFor('READY=1');
    await listener.waitFor('WATCHDOG=1', 3, 5000);
    t.ok(listener.count('WATCHDOG=1') >= 3, 'WATCHDOG=1 repeats');
  });

  t.test('no watchdog pings for another pid', async (t) => {
    const listener = await NotifyListener.start();
    t.teardown(() => listener.stop());
    const daemon = new DaemonProcess(topology.host, topology.writeConfig(CONFIG), {
      NOTIFY_SOCKET: listener.path,
      WATCHDOG_USEC: '200000',
      WATCHDOG_PID: '1',
    });
    t.teardown(() => daemon.stop());
    await listener.waitFor('READY=1');
    await new Promise((resolve) => setTimeout(resolve, 600));
    t.equal(listener.count('WATCHDOG=1'), 0, 'WATCHDOG_PID names another process');
  });

  t.test('reload swaps an address within one prefix', async (t) => {
    topology.deleteParent();
    topology.createParent();
    const listener = await NotifyListener.start();
    t.teardown(() => listener.stop());
    const prefixConfig = CONFIG.replace('192.168.124.190/32', '192.168.124.190/27');
    const daemon = new DaemonProcess(topology.host, topology.writeConfig(prefixConfig), { NOTIFY_SOCKET: listener.path });
    t.teardown(() => daemon.stop());
    await listener.waitFor('READY=1');
    const promote = execIn(topology.host, 'cat', [`/proc/sys/net/ipv4/conf/${SHIM}/promote_secondaries`]).trim();
    t.equal(promote, '1', 'promote_secondaries is on');

    topology.writeConfig(prefixConfig.replace('192.168.124.190/27', '192.168.124.189/27'));
    daemon.signal('SIGHUP');
    await listener.waitFor('READY=1', 2);
    await daemon.waitForLog('removed address not in the config');
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.same(addressesIn(topology.host, SHIM), ['192.168.124.189/27'], 'only the new address remains');
    t.equal(daemon.logged('restored address').length, 0, 'the new address never went away');
    t.equal(daemon.logged('added address').length, 1, 'the new address was added once');
  });

  t.test('missing CAP_NET_ADMIN is fatal', async (t) => {
    topology.deleteParent();
    topology.createParent();
    const args = ['netns', 'exec', topology.host, 'setpriv', '--bounding-set', '-net_admin', '--inh-caps', '-net_admin'];
    const child = spawn('ip', [...args, process.execPath, CLI, 'run', '--config', topology.writeConfig(CONFIG)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    t.equal(code, 1, 'exit code 1');
    t.match(output, /"level":60.*missing CAP_NET_ADMIN/, 'fatal line says what is missing');
    t.equal(linkIn(topology.host, SHIM), undefined, 'nothing was created');
  });
}
