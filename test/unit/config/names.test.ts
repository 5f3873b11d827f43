import t from 'tap';

import { parseConfig } from '../../../src/config';
import { issueKeys, parseShim } from './fixtures/helpers';

t.test('interface names the kernel accepts', async (t) => {
  const good = [
    'nic-macvlan',
    'a',
    'mvshim0',
    'x'.repeat(15),
    'shim.1',
    'shim_1@x',
    'ümlaut',
    'é'.repeat(7),
    '123',
  ];
  for (const name of good) {
    t.same(issueKeys(parseShim({ name })), [], JSON.stringify(name));
  }
});

t.test('interface names the kernel rejects', async (t) => {
  const bad = [
    '',
    'x'.repeat(16),
    'é'.repeat(8),
    'a/b',
    'a:1',
    'a b',
    'a\tb',
    'a\nb',
    'trailing ',
    '.',
    '..',
    'shim%d',
    'nul\u0000',
    // U+00E0 is C3 A0 in UTF-8, and the kernel's isspace() matches 0xA0.
    'voilà',
    'nbsp\u00a0',
  ];
  for (const name of bad) {
    t.same(issueKeys(parseShim({ name })), ['error invalid-name shims[0].name'], JSON.stringify(name));
  }
});

t.test('names all and default rejected', async (t) => {
  // The kernel reserves them for /proc/sys/net/*/conf/all and default.
  for (const name of ['all', 'default']) {
    const result = parseShim({ name });
    t.same(issueKeys(result), ['error invalid-name shims[0].name'], name);
    t.equal(result.config, undefined, `${name} gives no config`);
    t.same(issueKeys(parseShim({ parent: name })), ['error invalid-name shims[0].parent'], `parent ${name}`);
  }
  for (const name of ['All', 'DEFAULT', 'all0', 'defaults', 'all-shims', 'mvdefault']) {
    t.same(issueKeys(parseShim({ name })), [], name);
  }
});

t.test('parent names follow the same rules', async (t) => {
  t.same(issueKeys(parseShim({ parent: 'a:b' })), ['error invalid-name shims[0].parent']);
  t.same(issueKeys(parseShim({ parent: 'p'.repeat(16) })), ['error invalid-name shims[0].parent']);
  t.same(issueKeys(parseShim({ parent: 'eth0' })), [], 'a parent may use any claimed prefix');
});

t.test('name equal to its parent', async (t) => {
  t.same(issueKeys(parseShim({ parent: 'nic-macvlan' })), ['error invalid-value shims[0].parent']);
});

t.test('duplicate name points at second', async (t) => {
  const text = [
    'shims:',
    '  - name: nic-macvlan',
    '    parent: kvmbr0',
    '    routes: [10.1.0.0/16]',
    '  - name: nic-macvlan',
    '    parent: kvmbr1',
    '    routes: [10.2.0.0/16]',
    '',
  ].join('\n');
  const result = parseConfig(text, 'dup.yaml');
  t.same(issueKeys(result), ['error duplicate-name shims[1].name']);
  t.equal(result.issues[0].line, 5);
  t.equal(result.issues[0].column, 11);
  // Naming the first shim's line is part of the contract, not just wording.
  t.match(result.issues[0].message, /\(line 2\)/);
});

t.test('claimed name prefixes warn', async (t) => {
  const claimed = ['eth1', 'enp3s0', 'wlan0', 'wwan0', 'veth1', 'docker1', 'br-1234', 'vmbr1', 'virbr1', 'vnet3', 'lxcbr0', 'lxdbr0', 'podman1', 'cni0', 'flannel.1', 'cali1', 'cilium_host'];
  for (const name of claimed) {
    const result = parseShim({ name });
    t.same(issueKeys(result), ['warning name-pattern shims[0].name'], name);
    t.ok(result.config, `${name} still gives a config`);
  }
  for (const name of ['nic-macvlan', 'mvshim0', 'macvlan0', 'shim-eth0', 'br0']) {
    t.same(issueKeys(parseShim({ name })), [], name);
  }
});
