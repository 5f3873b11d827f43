import t from 'tap';
import { planRemovals } from '../../../src/reconcile/remove';
import { kernel, link, parent, shimLink } from './fixtures';

t.test('own shim removed, foreign left', async (t) => {
  const foreign = link({ index: 11, name: 'other', kind: 'macvlan', parentIndex: 2 });
  const [own, other] = planRemovals(['shim0', 'other'], kernel([parent, shimLink(), foreign]));
  t.equal(own.link?.index, 10);
  t.equal(other.link, undefined);
  t.match(other.skipped, /not created by macvlan-shim/);
});

t.test('promisc undone only with the last own shim', async (t) => {
  const flagged = shimLink({ alias: 'managed by macvlan-shim; parent promisc set' });
  const sibling = shimLink({ index: 12, name: 'shim1' });
  t.equal(planRemovals(['shim0'], kernel([parent, flagged, sibling]))[0].promiscOff, undefined, 'a sibling remains');
  const both = planRemovals(['shim0', 'shim1'], kernel([parent, flagged, sibling]));
  t.equal(both[0].promiscOff?.name, 'eth0', 'last shims go: promisc off');
  t.equal(both[1].promiscOff, undefined, 'turned off once');
});

t.test('promisc set by someone else stays', async (t) => {
  const [removal] = planRemovals(['shim0'], kernel([parent, shimLink()]));
  t.equal(removal.promiscOff, undefined);
});
