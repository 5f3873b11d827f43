import t from 'tap';
import { preflight } from '../../../src/reconcile/preflight';
import { desired, kernel, link, parent, shimLink } from './fixtures';

const wired = () => false;

t.test('missing parent is a note', async (t) => {
  const [finding] = preflight([desired()], kernel([]), wired);
  t.equal(finding.severity, 'note');
  t.match(finding.message, /'eth0' is not present now/);
});

t.test('bridge port parent is an error naming the master', async (t) => {
  const bridge = link({ index: 5, name: 'br0', kind: 'bridge' });
  const [finding] = preflight([desired()], kernel([bridge, { ...parent, masterIndex: 5 }]), wired);
  t.equal(finding.severity, 'error');
  t.match(finding.message, /use 'br0' as the parent/);
});

t.test('wireless parent is a warning', async (t) => {
  const [finding] = preflight([desired()], kernel([parent]), (name) => name === 'eth0');
  t.equal(finding.severity, 'warning');
  t.match(finding.message, /wireless/);
});

t.test('mtu above the parent is an error', async (t) => {
  const [finding] = preflight([desired({ mtu: 9000 })], kernel([parent]), wired);
  t.equal(finding.severity, 'error');
  t.match(finding.message, /mtu 9000 is larger than the mtu 1500/);
});

t.test('name taken by a veth is an error', async (t) => {
  const [finding] = preflight([desired()], kernel([parent, link({ index: 10, name: 'shim0', kind: 'veth' })]), wired);
  t.equal(finding.severity, 'error');
  t.match(finding.message, /already exists as a veth/);
});

t.test('own shim gives no findings', async (t) => {
  t.same(preflight([desired()], kernel([parent, shimLink()]), wired), []);
});
