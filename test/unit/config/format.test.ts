import t from 'tap';

import {
  describeConfig,
  formatIssue,
  hasBlockingIssues,
  parseConfig,
} from '../../../src/config';
import type { ConfigIssue } from '../../../src/config';
import { issueKeys, parseObject, shim } from './fixtures/helpers';

const ISSUE: ConfigIssue = {
  severity: 'error',
  code: 'invalid-value',
  path: 'shims[0].mode',
  file: '/etc/macvlan-shim/config.yaml',
  line: 7,
  column: 11,
  value: 'bridged',
  message: "shims[0].mode is 'bridged'; expected one of bridge, private, vepa, passthru",
};

t.test('formatIssue compiler-style line', async (t) => {
  t.equal(
    formatIssue(ISSUE),
    "/etc/macvlan-shim/config.yaml:7:11: error: shims[0].mode is 'bridged'; expected one of bridge, private, vepa, passthru",
  );
  t.match(formatIssue({ ...ISSUE, severity: 'warning' }), /^[^:]+:7:11: warning: /);
});

t.test('formatIssue whole-file issue', async (t) => {
  const line = formatIssue({ ...ISSUE, line: 0, column: 0, code: 'file-unreadable' });
  t.match(line, /^\/etc\/macvlan-shim\/config\.yaml: error: /);
});

t.test('formatted issue is one line', async (t) => {
  const texts = [
    'shims: [{name: "a\\nb", parent: b, routes: [10.0.0.0/8]}]\n',
    'shims: [{name: a, parent: b, routes: ["10.0.0.0/8\\n"]}]\n',
    'shims:\n  - name: |\n      two\n      lines\n    parent: b\n',
    `shims: [{name: "${'x'.repeat(5000)}", parent: b}]\n`,
  ];
  for (const text of texts) {
    for (const issue of parseConfig(text, 'f.yaml').issues) {
      const line = formatIssue(issue);
      t.notMatch(line, /[\n\r]/, issue.code);
      t.ok(line.length < 1000, `${issue.code} is short`);
    }
  }
});

t.test('messages quote the offending value', async (t) => {
  const result = parseObject({
    log: { level: 'loud' },
    shims: [
      shim({ mode: 'bridged', mac: '01:00:00:00:00:01', addresses: ['10.0.0.0/8'], routes: ['10.0.0.1/8'] }),
      shim({ name: 'a:b' }),
    ],
  });
  const withValue = result.issues.filter((issue) => issue.value !== undefined);
  t.ok(withValue.length >= 5, 'most issues carry a value');
  for (const issue of withValue) {
    t.ok(issue.message.includes(`'${issue.value}'`), `${issue.code} quotes '${issue.value}'`);
  }
});

t.test('hasBlockingIssues strict option', async (t) => {
  const warning: ConfigIssue = { ...ISSUE, severity: 'warning', code: 'name-pattern' };
  t.equal(hasBlockingIssues([]), false);
  t.equal(hasBlockingIssues([], { strict: true }), false);
  t.equal(hasBlockingIssues([warning]), false);
  t.equal(hasBlockingIssues([warning], { strict: true }), true);
  t.equal(hasBlockingIssues([ISSUE]), true);
  t.equal(hasBlockingIssues([ISSUE, warning], { strict: false }), true);
});

t.test('describeConfig lists managed shims', async (t) => {
  const result = parseObject({
    resync: 0,
    shims: [
      shim({
        addresses: ['192.168.124.190/27', 'fd00:124::190/64'],
        routes: ['192.168.124.160/27'],
        mac: '02:11:22:33:44:55',
        mtu: 1500,
        docker: { subnet: '192.168.124.0/24', aux_addresses: ['192.168.124.190'] },
      }),
      shim({ name: 'mvshim1', parent: 'kvmbr1', mode: 'private', promisc: false, addresses: [], routes: ['10.1.0.0/16'] }),
    ],
  });
  // Private mode only warns, so the config still shows a non-default mode.
  t.same(issueKeys(result), ['warning invalid-value shims[1].mode']);
  const lines = describeConfig(result.config!);
  t.same(lines, [
    'log level info, periodic resync off',
    'shim nic-macvlan: parent kvmbr0, mode bridge, promisc on, MAC 02:11:22:33:44:55, MTU 1500',
    '  address 192.168.124.190/27 covers 192.168.124.160–192.168.124.191',
    '  address fd00:124::190/64 covers fd00:124::–fd00:124::ffff:ffff:ffff:ffff',
    '  route 192.168.124.160/27 covers 192.168.124.160–192.168.124.191',
    '  docker network subnet 192.168.124.0/24, aux_addresses 192.168.124.190',
    "shim mvshim1: parent kvmbr1, mode private, promisc off, MAC derived from /etc/machine-id, MTU parent's",
    '  addresses: none',
    '  route 10.1.0.0/16 covers 10.1.0.0–10.1.255.255',
  ]);
});
