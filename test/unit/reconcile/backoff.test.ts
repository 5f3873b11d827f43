import t from 'tap';
import { backoffDelay } from '../../../src/reconcile/backoff';

t.test('backoff doubles then caps', async (t) => {
  const policy = { initialMs: 500, maxMs: 60_000 };
  t.same([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt)), [500, 1000, 2000, 4000]);
  t.equal(backoffDelay(policy, 20), 60_000);
  t.equal(backoffDelay(policy, 10_000), 60_000, 'huge attempt numbers do not overflow');
});
