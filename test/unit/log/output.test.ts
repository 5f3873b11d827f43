import { fstatSync, openSync, closeSync } from 'node:fs';
import t from 'tap';
import { detectFormat } from '../../../src/log/output';

t.test('journal when JOURNAL_STREAM matches the fd', async (t) => {
  const fd = openSync(__filename, 'r');
  t.teardown(() => closeSync(fd));
  const stat = fstatSync(fd);
  t.equal(detectFormat({ JOURNAL_STREAM: `${stat.dev}:${stat.ino}` }, fd), 'journal');
});

t.test('not journal when JOURNAL_STREAM differs', async (t) => {
  const fd = openSync(__filename, 'r');
  t.teardown(() => closeSync(fd));
  t.not(detectFormat({ JOURNAL_STREAM: '1:2' }, fd), 'journal');
  t.not(detectFormat({}, fd), 'journal');
});
