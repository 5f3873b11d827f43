import t from 'tap';
import { RequestWindow } from '../../../src/netlink/window';

t.test('window caps requests in flight', async (t) => {
  const window = new RequestWindow(2);
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const results = [0, 1, 2, 3].map((i) =>
    window.run(() => {
      started.push(i);
      return new Promise<number>((resolve) => finish.push(() => resolve(i)));
    }),
  );
  t.same(started, [0, 1], 'two start at once');
  finish[0]();
  await results[0];
  await new Promise((resolve) => setImmediate(resolve));
  t.same(started, [0, 1, 2], 'the next starts when one finishes');
  finish[1]();
  finish[2]();
  await Promise.all(results.slice(1, 3));
  await new Promise((resolve) => setImmediate(resolve));
  finish[3]();
  t.same(await Promise.all(results), [0, 1, 2, 3], 'all resolve with their own value');
  t.same(started, [0, 1, 2, 3], 'in call order');
});

t.test('a rejected request frees its slot', async (t) => {
  const window = new RequestWindow(1);
  await t.rejects(window.run(() => Promise.reject(new Error('EBUSY'))));
  t.equal(await window.run(() => Promise.resolve('next')), 'next');
});
