import t from 'tap';
import { RepeatFilter } from '../../../src/log/repeat-filter';

t.test('repeats within the window are counted', async (t) => {
  let now = 0;
  const filter = new RepeatFilter(1000, () => now);
  t.equal(filter.admit('a'), 0, 'first line passes');
  now = 10;
  t.equal(filter.admit('a'), undefined, 'repeat dropped');
  t.equal(filter.admit('a'), undefined, 'repeat dropped');
  t.equal(filter.admit('b'), 0, 'other lines pass');
  now = 1500;
  t.equal(filter.admit('a'), 2, 'after the window: passes with the dropped count');
  t.equal(filter.admit('a'), undefined, 'a new window starts');
});
