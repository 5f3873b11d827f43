import fc from 'fast-check';
import t from 'tap';
import { stringify } from 'yaml';

import {
  MAX_CONFIG_BYTES,
  describeConfig,
  formatIssue,
  hasBlockingIssues,
  parseConfig,
} from '../../../src/config';
import type { ParseResult } from '../../../src/config';

/** Codes that may have line 0, because they concern the whole file. */
const WHOLE_FILE_CODES = new Set(['too-large', 'missing-key']);

/** Returns a description of the first broken invariant, or undefined. */
function brokenInvariant(text: string, result: ParseResult): string | undefined {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const issue of result.issues) {
    if (issue.line === 0 && !(WHOLE_FILE_CODES.has(issue.code) && issue.column === 0)) {
      return `${issue.code} has no position`;
    }
    if (issue.line < 0 || issue.line > lineCount || (issue.line > 0 && issue.column < 1)) {
      return `${issue.code} has position ${issue.line}:${issue.column} outside the text`;
    }
    if (/[\r\n]/.test(formatIssue(issue))) {
      return `${issue.code} formats to more than one line`;
    }
  }
  if ((result.config === undefined) !== hasBlockingIssues(result.issues)) {
    return 'config is present exactly when there is no error';
  }
  if (result.config !== undefined) {
    describeConfig(result.config);
  }
  return undefined;
}

function checkText(text: string): boolean {
  const result = parseConfig(text, 'random.yaml');
  const broken = brokenInvariant(text, result);
  if (broken !== undefined) {
    throw new Error(broken);
  }
  return true;
}

const RUNS = { numRuns: 150 };

t.test('random text', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), checkText), RUNS);
  t.pass('no input broke an invariant');
});

t.test('binary junk', async (t) => {
  const junk = fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
  fc.assert(fc.property(junk, checkText), RUNS);
  t.pass('no input broke an invariant');
});

t.test('random YAML documents', async (t) => {
  const documents = fc.jsonValue({ maxDepth: 6 }).map((value) => stringify(value));
  fc.assert(fc.property(documents, checkText), RUNS);
  t.pass('no input broke an invariant');
});

// Values near the valid ones, so that the semantic checks run too.
const names = fc.constantFrom('nic-macvlan', 'mvshim0', 'eth9', '', 'a/b', 'x'.repeat(16), 'voilà', 5);
const prefixes = fc.constantFrom(
  '192.168.124.190/27', '192.168.124.160/27', '192.168.124.1/24', '10.0.0.0/8', '0.0.0.0/0',
  '255.255.255.0/24', 'fd00:124::190/64', 'fe80::1/64', '::/0', '::ffff:1.2.3.4/128',
  '192.168.178.201/29', '1.2.3.4', 'fd00::/200', 'junk', 7,
);
const addresses = fc.constantFrom(
  '192.168.124.1', '192.168.124.170', '192.168.124.190', '10.9.9.9', 'fd00:124::170', 'x', '1.2.3.4/24',
);
const docker = fc.record(
  {
    subnet: fc.constantFrom('192.168.124.0/24', '192.168.124.5/24', 'fd00:124::/64', 'nope'),
    gateway: addresses,
    ip_range: prefixes,
    aux_addresses: fc.oneof(fc.array(addresses, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), addresses, { maxKeys: 3 })),
    containers: fc.array(addresses, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const shimRecord = fc.record(
  {
    name: names,
    parent: names,
    mode: fc.constantFrom('bridge', 'vepa', 'bridged', true),
    promisc: fc.constantFrom(true, false, 'yes'),
    addresses: fc.array(prefixes, { maxLength: 4 }),
    routes: fc.array(prefixes, { maxLength: 4 }),
    mtu: fc.constantFrom(68, 1000, 1500, 70000, 1.5, '1500'),
    mac: fc.constantFrom('02:11:22:33:44:55', '01:00:5e:00:00:01', '00:00:00:00:00:00', 'zz'),
    docker,
    extra: fc.constant(1),
  },
  { requiredKeys: [] },
);
const configRecord = fc.record(
  {
    log: fc.record({ level: fc.constantFrom('info', 'loud') }, { requiredKeys: [] }),
    resync: fc.constantFrom(0, 300, -1, 'x'),
    shims: fc.array(shimRecord, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

t.test('config-shaped documents', async (t) => {
  fc.assert(fc.property(configRecord.map((config) => stringify(config)), checkText), { numRuns: 150 });
  t.pass('no input broke an invariant');
});

t.test('deep nesting of random brackets', async (t) => {
  // A short random pattern repeated up to 10,000 levels deep, closed or not.
  const pattern = fc.array(fc.constantFrom('[', '{a: ', '- '), { minLength: 1, maxLength: 5 });
  const deep = fc
    .tuple(pattern, fc.integer({ min: 1, max: 10_000 }), fc.boolean())
    .map(([openers, depth, closed]) => {
      const levels = Array.from({ length: depth }, (_, i) => openers[i % openers.length]);
      const closers = levels.map((opener) => ({ '[': ']', '{a: ': '}', '- ': '' })[opener] ?? '');
      return `shims: ${levels.join('')}x${closed ? closers.reverse().join('') : ''}\n`;
    });
  fc.assert(fc.property(deep, checkText), { numRuns: 10 });
  t.pass('no input broke an invariant');
});

t.test('huge inputs finish quickly', async (t) => {
  const shimLine = '  - {name: a, parent: b, routes: [10.0.0.0/8]}\n';
  const justBelowLimit = (unit: string): string =>
    unit.repeat(Math.floor((MAX_CONFIG_BYTES - 8) / unit.length));
  const huge = [
    // A few MB, above the limit.
    Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    `shims:\n${'  - {name: a, parent: b}\n'.repeat(120_000)}`,
    // Just below the limit: many valid-looking shims, and input that gives
    // the YAML parser an error for nearly every character.
    `shims:\n${justBelowLimit(shimLine)}`,
    justBelowLimit('[]'),
  ];
  for (const text of huge) {
    const started = Date.now();
    checkText(text);
    const elapsed = Date.now() - started;
    // The bound is generous, so that a slow CI machine does not fail the
    // test. A hang or a quadratic blow-up takes far longer.
    t.ok(elapsed < 10_000, `${text.length} characters took ${elapsed} ms`);
  }
});
