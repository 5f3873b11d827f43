import t from 'tap';
import { FightDetector } from '../../../src/reconcile/fights';

const policy = { threshold: 3, windowMs: 10_000, backoff: { initialMs: 1000, maxMs: 8000 } };

t.test('three restores in the window start a hold', async (t) => {
  let now = 0;
  const fights = new FightDetector(policy, () => now);
  t.equal(fights.recordRestore('a'), undefined);
  now = 100;
  t.equal(fights.recordRestore('a'), undefined);
  now = 200;
  t.same(fights.recordRestore('a'), { step: 1, delayMs: 1000, until: 1200 });
  t.equal(fights.heldUntil('a'), 1200);
  now = 1300;
  t.equal(fights.heldUntil('a'), undefined, 'hold expires');
});

t.test('each further fight doubles the hold, capped', async (t) => {
  let now = 0;
  const fights = new FightDetector(policy, () => now);
  const delays: number[] = [];
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 3; i++) {
      const hold = fights.recordRestore('a');
      if (hold) delays.push(hold.delayMs);
      now += 10;
    }
  }
  t.same(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
});

t.test('slow restores never hold', async (t) => {
  let now = 0;
  const fights = new FightDetector(policy, () => now);
  for (let i = 0; i < 10; i++) {
    t.equal(fights.recordRestore('a'), undefined);
    now += 6000;
  }
});

t.test('quiet after a hold resets the step', async (t) => {
  let now = 0;
  const fights = new FightDetector(policy, () => now);
  for (let i = 0; i < 3; i++) fights.recordRestore('a');
  now = 60_000;
  fights.recordRestore('a');
  fights.recordRestore('a');
  t.equal(fights.recordRestore('a')?.step, 1);
});

t.test('resources are independent', async (t) => {
  const fights = new FightDetector(policy, () => 0);
  for (let i = 0; i < 3; i++) fights.recordRestore('a');
  t.equal(fights.heldUntil('b'), undefined);
});
