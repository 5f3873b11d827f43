import { execFileSync } from 'node:child_process';
import t from 'tap';
import { requireRoot } from './helpers/root';
import { addNamespace, deleteNamespace } from './helpers/netns';

// The adapter runs in a child process inside the test's namespace, because
// a netlink socket belongs to the namespace of the process that opens it.
const NAMESPACE = 'mnlk-host';

function runInNamespace(script: string): string {
  return execFileSync('ip', ['netns', 'exec', NAMESPACE, process.execPath, '-e', script], {
    encoding: 'utf8',
    cwd: `${__dirname}/../..`,
  });
}

if (requireRoot(t)) {
  t.before(() => {
    addNamespace(NAMESPACE);
    execFileSync('ip', ['-n', NAMESPACE, 'link', 'add', 'mnlk-p0', 'type', 'veth', 'peer', 'name', 'mnlk-p1']);
  });
  t.teardown(() => deleteNamespace(NAMESPACE));

  t.test('create, read back, delete a macvlan', async (t) => {
    const output = runInNamespace(`
      const { NetlinkClient } = require('./dist/netlink/client');
      const { isExists, isNotFound } = require('./dist/netlink/errors');
      (async () => {
        const client = new NetlinkClient({ timeoutMs: 2000, onSocketError: (e) => { throw e; } });
        const parent = (await client.listLinks()).find((link) => link.name === 'mnlk-p0');
        await client.createMacvlan({ name: 'mnlk-m0', parentIndex: parent.index, mode: 'private', mac: '02:00:00:00:aa:01', mtu: 1400 });
        const created = (await client.listLinks()).find((link) => link.name === 'mnlk-m0');
        let duplicate;
        try { await client.createMacvlan({ name: 'mnlk-m0', parentIndex: parent.index, mode: 'bridge' }); } catch (error) { duplicate = error; }
        await client.deleteLink(created.index, 'mnlk-m0');
        let missing;
        try { await client.deleteLink(created.index, 'mnlk-m0'); } catch (error) { missing = error; }
        client.close();
        console.log(JSON.stringify({ created, parentIndex: parent.index, exists: isExists(duplicate), duplicate: duplicate && duplicate.message, notFound: isNotFound(missing), missing: missing && missing.errno }));
      })();
    `);
    const result = JSON.parse(output);
    t.match(result.created, { kind: 'macvlan', macvlanMode: 'private', mac: '02:00:00:00:aa:01', mtu: 1400 });
    t.equal(result.created.parentIndex, result.parentIndex, 'IFLA_LINK points at the parent');
    t.ok(result.exists, 'a second create fails with EEXIST');
    t.equal(result.duplicate, "create macvlan 'mnlk-m0' failed: EEXIST");
    t.ok(result.notFound, 'deleting twice fails with a not-found errno');
  });

  t.test('event socket survives a receive-queue overflow', async (t) => {
    const output = runInNamespace(`
      const { execFileSync } = require('node:child_process');
      const { KernelEvents } = require('./dist/netlink/events');
      // A small receive buffer, so a burst overflows it for sure.
      const events = new KernelEvents(16384);
      let overflows = 0;
      let changes = 0;
      events.on('overflow', () => overflows++);
      events.on('change', () => changes++);
      setTimeout(() => {
        const lines = Array.from({ length: 3000 }, (_, i) => 'link set lo mtu ' + (60000 + i)).join('\\n');
        execFileSync('ip', ['-batch', '-'], { input: lines });
        setTimeout(() => {
          const before = changes;
          execFileSync('ip', ['link', 'set', 'lo', 'mtu', '65536']);
          setTimeout(() => {
            console.log(JSON.stringify({ overflows, afterOverflow: changes - before }));
            events.close();
          }, 300);
        }, 300);
      }, 100);
    `);
    const result = JSON.parse(output);
    t.ok(result.overflows >= 1, 'ENOBUFS reported as an overflow');
    t.ok(result.afterOverflow >= 1, 'events still arrive after the overflow');
  });
}
