import t from 'tap';
import { planShim } from '../../../src/reconcile/plan';
import { address, converged, desired, kernel, link, parent, prefix, route, shimLink } from './fixtures';

const kinds = (plan: ReturnType<typeof planShim>) => plan.actions.map((action) => action.kind);

t.test('converged shim needs nothing', async (t) => {
  const plan = planShim(desired(), converged());
  t.equal(plan.state, 'ready');
  t.same(plan.actions, []);
});

t.test('missing parent waits without actions', async (t) => {
  const plan = planShim(desired(), kernel([]));
  t.equal(plan.state, 'waiting-for-parent');
  t.same(plan.actions, []);
  t.match(plan.reason, /'eth0' is not present/);
});

t.test('missing shim is created, addressed, then brought up', async (t) => {
  const plan = planShim(desired(), kernel([parent]));
  t.equal(plan.state, 'converging');
  t.same(kinds(plan), ['create', 'mark', 'add-address', 'set-up', 'add-route']);
  t.match(plan.actions[0], { kind: 'create', parentIndex: 2, mode: 'bridge', mac: '02:00:00:00:00:01' });
});

t.test('parent not promiscuous is set and remembered', async (t) => {
  const plan = planShim(desired(), kernel([{ ...parent, promisc: false }]));
  t.same(kinds(plan), ['create', 'mark', 'set-parent-promisc', 'add-address', 'set-up', 'add-route']);
  t.match(plan.actions[1], { kind: 'mark', alias: 'managed by macvlan-shim; parent promisc set' });
});

t.test('promisc false leaves the parent alone', async (t) => {
  const plan = planShim(desired({ promisc: false }), kernel([{ ...parent, promisc: false }]));
  t.notOk(kinds(plan).includes('set-parent-promisc'));
});

t.test('name taken by another kind is a conflict', async (t) => {
  const plan = planShim(desired(), kernel([parent, link({ index: 10, name: 'shim0', kind: 'veth' })]));
  t.equal(plan.state, 'conflict');
  t.same(plan.actions, []);
  t.match(plan.reason, /is a veth device/);
});

t.test('unmarked matching macvlan is adopted in place', async (t) => {
  const snapshot = kernel([parent, shimLink({ alias: undefined })], [address(10, '192.168.124.190/27')], [route(10, '192.168.124.160/27')]);
  const plan = planShim(desired(), snapshot);
  t.same(kinds(plan), ['mark']);
  t.match(plan.actions[0], { kind: 'mark', adopt: true, configure: true });
});

t.test('unmarked macvlan on another parent is a conflict', async (t) => {
  const other = link({ index: 3, name: 'eth1' });
  const plan = planShim(desired(), kernel([parent, other, shimLink({ alias: undefined, parentIndex: 3 })]));
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /parent is 'eth1', not 'eth0'/);
});

t.test('marked macvlan with the wrong mode is replaced', async (t) => {
  const plan = planShim(desired(), kernel([parent, shimLink({ macvlanMode: 'vepa' })]));
  t.same(kinds(plan).slice(0, 2), ['delete', 'create']);
  t.match(plan.actions[0], { kind: 'delete', index: 10, reason: /mode is 'vepa', not 'bridge'/ });
});

t.test('enslaved parent is a conflict naming the master', async (t) => {
  const bridge = link({ index: 5, name: 'br0', kind: 'bridge' });
  const plan = planShim(desired(), kernel([bridge, { ...parent, masterIndex: 5 }]));
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /enslaved to 'br0'.*use 'br0' as the parent/);
});

t.test('mtu above the parent mtu is a conflict with both numbers', async (t) => {
  const plan = planShim(desired({ mtu: 9000 }), kernel([parent]));
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /mtu 9000 is larger than the mtu 1500/);
});

t.test('changed address is added before the old one is removed', async (t) => {
  const plan = planShim(desired({ addresses: [prefix('192.168.124.189/27')] }), converged());
  t.same(kinds(plan), ['add-address', 'delete-address']);
  t.match(plan.actions[1], { kind: 'delete-address', address: { text: '192.168.124.190/27' } });
});

t.test('kernel link-local IPv6 address is kept', async (t) => {
  const plan = planShim(desired(), converged());
  t.notOk(kinds(plan).includes('delete-address'));
});

t.test('own stale route is removed, foreign route kept', async (t) => {
  const snapshot = converged();
  snapshot.snapshot.routes.push(route(10, '10.0.0.0/8', 233), route(10, '10.1.0.0/16', 4));
  const plan = planShim(desired(), kernel(snapshot.snapshot.links, snapshot.snapshot.addresses, snapshot.snapshot.routes));
  t.same(kinds(plan), ['delete-route']);
  t.match(plan.actions[0], { route: { text: '10.0.0.0/8' } });
});

t.test('down shim is brought up', async (t) => {
  const snapshot = converged();
  const plan = planShim(desired(), kernel([parent, shimLink({ up: false })], snapshot.snapshot.addresses, snapshot.snapshot.routes));
  t.same(kinds(plan), ['set-up']);
});

t.test('shim whose parent was renamed away is deleted', async (t) => {
  const renamed = { ...parent, name: 'old0' };
  const plan = planShim(desired(), kernel([renamed, shimLink()]));
  t.equal(plan.state, 'waiting-for-parent');
  t.match(plan.actions, [{ kind: 'delete', index: 10, reason: /now named 'old0'/ }]);
});

t.test('configured mac differing is set in place', async (t) => {
  const plan = planShim(desired({ mac: '02:aa:bb:cc:dd:ee' }), converged());
  t.same(kinds(plan), ['set-mac']);
});

t.test('parent address on the shim is a lock-out conflict', async (t) => {
  const snapshot = kernel([parent], [address(2, '192.168.124.190/24')]);
  const plan = planShim(desired(), snapshot);
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /already an address of parent 'eth0'/);
});

t.test('parent connected prefix as a route is a lock-out conflict', async (t) => {
  const snapshot = kernel([parent], [], [route(2, '192.168.124.0/24', 2)]);
  const plan = planShim(desired({ routes: [prefix('192.168.124.0/24')] }), snapshot);
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /whole connected prefix of parent 'eth0'/);
});

t.test('configured mac equal to the parent mac is a conflict', async (t) => {
  const plan = planShim(desired({ mac: parent.mac }), kernel([parent]));
  t.equal(plan.state, 'conflict');
  t.match(plan.reason, /is the mac of parent 'eth0'/);
});

t.test('admin-down parent still gets its shim', async (t) => {
  const plan = planShim(desired(), kernel([{ ...parent, up: false, lowerUp: false }]));
  t.equal(plan.state, 'converging');
  t.equal(plan.actions[0].kind, 'create');
});
