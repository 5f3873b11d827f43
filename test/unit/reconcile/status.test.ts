import t from 'tap';
import { statusLine } from '../../../src/reconcile/status';

t.test('status line', async (t) => {
  t.equal(statusLine([{ shim: 'a', parent: 'p', state: 'ready' }]), '1/1 shims up');
  t.equal(statusLine([{ shim: 'a', parent: 'kvmbr0', state: 'waiting-for-parent' }]), "0/1 up, waiting for parent 'kvmbr0'");
  t.equal(
    statusLine([
      { shim: 'a', parent: 'p', state: 'ready' },
      { shim: 'b', parent: 'p', state: 'conflict' },
    ]),
    "1/2 up, conflict on 'b'",
  );
});
