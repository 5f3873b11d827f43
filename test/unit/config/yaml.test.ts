import t from 'tap';

import { MAX_CONFIG_BYTES, parseConfig } from '../../../src/config';
import { issueKeys } from './fixtures/helpers';

const VALID_SHIM = '{name: mvshim0, parent: kvmbr0, routes: [10.1.0.0/16]}';

t.test('syntax error positions', async (t) => {
  const cases: [string, string, number, number][] = [
    ['tab indentation', 'shims:\n\t- name: a\n', 2, 1],
    ['unclosed flow list', `shims: [${VALID_SHIM}\n`, 2, 1],
    ['bad indentation', 'shims:\n  - name: a\n parent: b\n', 3, 1],
    ['unterminated quote', 'shims:\n  - name: "abc\n', 3, 1],
  ];
  for (const [name, text, line, column] of cases) {
    const result = parseConfig(text, 'syntax.yaml');
    const first = result.issues[0];
    t.equal(first?.code, 'yaml-syntax', name);
    t.equal(first?.severity, 'error', `${name} is an error`);
    t.ok(first !== undefined && first.line >= 1, `${name} has a line`);
    t.same([first?.line, first?.column], [line, column], `${name} position`);
    t.equal(result.config, undefined, `${name} gives no config`);
  }
});

t.test('duplicate keys', async (t) => {
  const result = parseConfig(`resync: 1\nresync: 2\nshims: [${VALID_SHIM}]\n`, 'dup.yaml');
  t.same(issueKeys(result), ['error duplicate-key resync']);
  t.same([result.issues[0].line, result.issues[0].column], [2, 1]);
  t.match(result.issues[0].message, 'line 1', "the message names the first key's line");

  const inShim = parseConfig('shims: [{name: a, parent: b, name: c, routes: [10.0.0.0/8]}]\n', 'dup.yaml');
  t.same(issueKeys(inShim), ['error duplicate-key shims[0].name']);

  const inAux = parseConfig(
    'shims: [{name: a, parent: b, routes: [10.0.0.0/8], docker: {subnet: 10.0.0.0/8, aux_addresses: {h: 10.0.0.2, h: 10.0.0.3}}}]\n',
    'dup.yaml',
  );
  t.same(issueKeys(inAux), ['error duplicate-key shims[0].docker.aux_addresses.h']);
});

t.test('many keys in linear time', async (t) => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}: 1`).join('\n');
  const started = Date.now();
  const result = parseConfig(`${keys}\nshims: [${VALID_SHIM}]\n`, 'keys.yaml');
  t.ok(Date.now() - started < 3000, 'finishes quickly');
  t.equal(result.issues.length, 10_000, 'one unknown key each');
});

t.test('more than one document', async (t) => {
  const result = parseConfig(`shims: [${VALID_SHIM}]\n---\nshims: []\n`, 'multi.yaml');
  t.same(issueKeys(result), ['error yaml-syntax ']);
  t.equal(result.issues[0].line, 2);
});

t.test('aliases are followed', async (t) => {
  // Two shims may not share a route, so the list alias is a Docker one.
  const text = [
    'shims:',
    '  - name: mvshim0',
    '    parent: &parent kvmbr0',
    '    routes: [10.1.0.0/16]',
    '    docker: {subnet: 10.0.0.0/8, containers: &containers [10.1.0.5]}',
    '  - name: mvshim1',
    '    parent: *parent',
    '    routes: [10.1.0.5/32]',
    '    docker: {subnet: 10.0.0.0/8, containers: *containers}',
    '',
  ].join('\n');
  const result = parseConfig(text, 'alias.yaml');
  t.same(result.issues, []);
  t.equal(result.config?.shims[1].parent, 'kvmbr0');
  t.same(result.config?.shims[1].docker?.containers, ['10.1.0.5']);
});

t.test('alias to a missing anchor', async (t) => {
  const result = parseConfig('shims:\n  - *nowhere\n', 'alias.yaml');
  t.same(issueKeys(result), ['error yaml-syntax shims[0]']);
  t.same([result.issues[0].line, result.issues[0].column], [2, 5]);
});

t.test('unknown tag warns', async (t) => {
  const result = parseConfig(`shims:\n  - name: !custom mvshim0\n    parent: kvmbr0\n    routes: [10.1.0.0/16]\n`, 'tag.yaml');
  t.same(issueKeys(result), ['warning yaml-syntax ']);
  t.ok(result.config, 'the value is read as a string');
});

t.test('file above size limit', async (t) => {
  const text = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\nshims: [${VALID_SHIM}]\n`;
  const started = Date.now();
  const result = parseConfig(text, 'big.yaml');
  t.same(issueKeys(result), ['error too-large ']);
  t.equal(result.issues[0].line, 0, 'a whole-file issue has line 0');
  t.ok(Date.now() - started < 1000, 'rejected without parsing');
});

t.test('size limit counts UTF-8 bytes', async (t) => {
  const text = `# ${'é'.repeat(MAX_CONFIG_BYTES / 2 + 1)}\n`;
  t.ok(text.length < MAX_CONFIG_BYTES, 'fewer characters than the limit');
  t.same(issueKeys(parseConfig(text, 'big.yaml')), ['error too-large ']);
});

t.test('deep nesting reported, not thrown', async (t) => {
  const depth = 10_000;
  const texts = [
    `shims: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
    `shims: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`,
    `shims:\n  ${'- '.repeat(depth)}x\n`,
  ];
  for (const text of texts) {
    const result = parseConfig(text, 'deep.yaml');
    t.ok(result.issues.length > 0, 'has issues');
    t.equal(result.config, undefined, 'gives no config');
    t.ok(result.issues.every((issue) => issue.line >= 1), 'issues have positions');
  }
});

t.test('alias expansion is bounded', async (t) => {
  // Each level doubles the size, so expanding every alias would build 2^20
  // values from a few hundred bytes.
  const lines = ['a0: &a0 [{name: x, parent: y, routes: [10.0.0.0/8]}]'];
  for (let i = 1; i <= 20; i++) {
    lines.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
  }
  lines.push('shims: *a20');
  const started = Date.now();
  const result = parseConfig(`${lines.join('\n')}\n`, 'laughs.yaml');
  t.ok(Date.now() - started < 2000, 'finishes quickly');
  t.equal(result.config, undefined);
  t.ok(result.issues.some((issue) => issue.code === 'unknown-key'));
});

t.test('many aliases to large anchor', async (t) => {
  // Without a bound, 500 aliases to a shim with 500 routes read 250,000 values.
  const items = Array.from({ length: 500 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`).join(', ');
  const aliases = Array.from({ length: 500 }, () => '*s').join(', ');
  const text = `shims: [&s {name: a, parent: b, routes: [${items}]}, ${aliases}]\n`;
  const started = Date.now();
  const result = parseConfig(text, 'aliases.yaml');
  t.ok(Date.now() - started < 2000, 'finishes quickly');
  t.ok(result.issues.some((issue) => issue.code === 'too-complex'), 'reports the expansion');
});
