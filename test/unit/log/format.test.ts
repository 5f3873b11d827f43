import t from 'tap';
import { formatJournalLine, formatTerminalLine } from '../../../src/log/format';

const line = (record: object) => JSON.stringify({ time: Date.UTC(2026, 0, 1, 3, 4, 5, 6), ...record });

t.test('journal prefix per level', async (t) => {
  const cases: [number, string][] = [
    [10, '<7>'],
    [20, '<7>'],
    [30, '<6>'],
    [40, '<4>'],
    [50, '<3>'],
    [60, '<2>'],
  ];
  for (const [level, prefix] of cases) {
    t.ok(formatJournalLine(line({ level, msg: 'x' })).startsWith(`${prefix}x`), `level ${level} -> ${prefix}`);
  }
});

t.test('journal line names shim and parent first', async (t) => {
  const text = formatJournalLine(line({ level: 40, msg: 'parent missing', index: 3, parent: 'eth0', shim: 'nic-macvlan' }));
  t.equal(text, '<4>parent missing shim=nic-macvlan parent=eth0 index=3\n');
});

t.test('journal line quotes values with spaces', async (t) => {
  const text = formatJournalLine(line({ level: 30, msg: 'ready', status: '1/1 shims up' }));
  t.equal(text, '<6>ready status="1/1 shims up"\n');
});

t.test('journal line carries the error message', async (t) => {
  const text = formatJournalLine(line({ level: 50, msg: 'failed', err: { message: 'add route failed: ENETDOWN', stack: 'x' } }));
  t.equal(text, '<3>failed error="add route failed: ENETDOWN"\n');
});

t.test('terminal line has time and level', async (t) => {
  t.equal(formatTerminalLine(line({ level: 30, msg: 'ready', shim: 'a' })), '03:04:05.006 INFO  ready shim=a\n');
});

t.test('non-JSON input passes through', async (t) => {
  t.equal(formatJournalLine('plain text\n'), '<6>plain text\n');
});
