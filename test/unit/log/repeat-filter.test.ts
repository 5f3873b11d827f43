import t from 'tap';
import { RepeatFilter } from '../../../src/log/repeat-filter';

t.test('repeats within the window are counted', async (t) => {
  let now = 0;
  const filter = new RepeatFilter(1000, 1, () => now);
  t.equal(filter.admit('a'), 0, 'first line passes');
  now = 10;
  t.equal(filter.admit('a'), undefined, 'repeat dropped');
  t.equal(filter.admit('a'), undefined, 'repeat dropped');
  t.equal(filter.admit('b'), 0, 'other lines pass');
  now = 1500;
  t.equal(filter.admit('a'), 2, 'after the window: passes with the dropped count');
  t.equal(filter.admit('a'), undefined, 'a new window starts');
});

t.test('a burst passes before counting starts', async (t) => {
  let now = 0;
  const filter = new RepeatFilter(1000, 3, () => now);
  t.same([filter.admit('a'), filter.admit('a'), filter.admit('a')], [0, 0, 0], 'three pass');
  t.equal(filter.admit('a'), undefined, 'the fourth is dropped');
  now = 2000;
  t.equal(filter.admit('a'), 1, 'after the window: one was dropped');
});
