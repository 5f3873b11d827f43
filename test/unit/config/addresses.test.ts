import t from 'tap';

import { parseConfig } from '../../../src/config';
import { issueKeys, parseObject, parseShim, shim } from './fixtures/helpers';

const ADDRESS = 'shims[0].addresses[0]';
const ROUTE = 'shims[0].routes[0]';

t.test('valid shim addresses', async (t) => {
  const good = [
    '192.168.124.190/27',
    '10.0.0.1/8',
    '172.16.5.4/12',
    '169.254.10.10/16',
    '192.168.1.0/31',
    '192.168.1.1/31',
    '192.168.1.255/32',
    '100.64.0.1/10',
    'fd00:124::190/64',
    '2001:db8::1/48',
    'FD00::1/64',
    '::ffff:192.168.1.10/128',
    '128.0.0.1/24',
  ];
  for (const address of good) {
    t.same(issueKeys(parseShim({ addresses: [address] })), [], address);
  }
});

t.test('invalid shim addresses', async (t) => {
  const bad: [string, string][] = [
    ['192.168.124.190', 'invalid-cidr'],
    ['fd00::1', 'invalid-cidr'],
    ['192.168.124.190/33', 'invalid-cidr'],
    ['fd00::1/129', 'invalid-cidr'],
    ['192.168.124.190/', 'invalid-cidr'],
    ['192.168.124.190/024', 'invalid-cidr'],
    ['192.168.124.190/-1', 'invalid-cidr'],
    ['192.168.124/24', 'invalid-cidr'],
    ['192.168.124.256/24', 'invalid-cidr'],
    ['192.168.024.1/24', 'invalid-cidr'],
    ['fe80::1%eth0/64', 'invalid-cidr'],
    ['fd00::1::2/64', 'invalid-cidr'],
    ['nic/24', 'invalid-cidr'],
    [' 10.0.0.1/8', 'invalid-cidr'],
    ['0.0.0.0/8', 'non-unicast'],
    ['255.255.255.255/32', 'non-unicast'],
    ['224.0.0.5/24', 'non-unicast'],
    ['239.1.2.3/32', 'non-unicast'],
    ['127.0.0.1/8', 'non-unicast'],
    ['255.255.255.0/24', 'non-unicast'],
    ['255.255.0.0/16', 'non-unicast'],
    ['255.0.0.0/8', 'non-unicast'],
    ['128.0.0.0/32', 'non-unicast'],
    ['::/64', 'non-unicast'],
    ['::1/128', 'non-unicast'],
    ['ff02::1/64', 'non-unicast'],
    ['fe80::1/64', 'non-unicast'],
    ['febf::1/64', 'non-unicast'],
    ['192.168.124.160/27', 'network-address'],
    ['10.0.0.0/8', 'network-address'],
    ['192.168.1.0/30', 'network-address'],
    ['192.168.124.191/27', 'broadcast-address'],
    ['192.168.1.3/30', 'broadcast-address'],
    ['192.168.124.190/0', 'lockout-risk'],
    ['fd00::1/0', 'lockout-risk'],
  ];
  for (const [address, code] of bad) {
    const result = parseShim({ addresses: [address] });
    t.same(issueKeys(result), [`error ${code} ${ADDRESS}`], address);
    t.equal(result.issues[0]?.value, address, `${address} is the issue value`);
  }
});

t.test('short address prefix warns', async (t) => {
  for (const address of ['10.0.0.1/7', '100.0.0.1/1', '2000::1/3']) {
    const result = parseShim({ addresses: [address] });
    t.same(issueKeys(result), [`warning lockout-risk ${ADDRESS}`], address);
    t.ok(result.config, `${address} still gives a config`);
  }
});

t.test('valid routes', async (t) => {
  const good = [
    '192.168.124.160/27',
    '192.168.178.200/29',
    '10.0.0.0/8',
    '192.168.1.7/32',
    'fd00:124::/64',
    '2001:db8::/32',
    '224.0.0.0/4',
  ];
  for (const route of good) {
    t.same(issueKeys(parseShim({ addresses: [], routes: [route] })), [], route);
  }
});

t.test('invalid routes', async (t) => {
  const bad: [string, string][] = [
    ['192.168.178.201/29', 'host-bits-set'],
    ['192.168.124.190/24', 'host-bits-set'],
    ['fd00:124::190/64', 'host-bits-set'],
    ['0.0.0.0/0', 'lockout-risk'],
    ['::/0', 'lockout-risk'],
    ['10.0.0.1/0', 'host-bits-set'],
    ['192.168.124.0', 'invalid-cidr'],
    ['192.168.124.0/40', 'invalid-cidr'],
  ];
  for (const [route, code] of bad) {
    const result = parseShim({ addresses: [], routes: [route] });
    t.same(issueKeys(result), [`error ${code} ${ROUTE}`], route);
  }
});

t.test('half-default routes warn', async (t) => {
  for (const route of ['0.0.0.0/1', '128.0.0.0/1', '8.0.0.0/5', '::/1', '2000::/3']) {
    t.same(issueKeys(parseShim({ routes: [route] })), [`warning lockout-risk ${ROUTE}`], route);
  }
  t.same(issueKeys(parseShim({ routes: ['10.0.0.0/8', 'fc00::/7'] })), [], 'common private blocks pass');
});

t.test('repeated entries in one list', async (t) => {
  t.same(
    issueKeys(parseShim({ addresses: ['10.0.0.2/24', '10.0.0.2/16'] })),
    ['error duplicate-entry shims[0].addresses[1]'],
  );
  t.same(
    issueKeys(parseShim({ routes: ['10.1.0.0/16', '10.1.0.0/16'] })),
    ['error duplicate-entry shims[0].routes[1]'],
  );
});

t.test('route on two shims', async (t) => {
  const text = [
    'shims:',
    '  - name: mvshim0',
    '    parent: kvmbr0',
    '    routes: [10.1.0.0/16, 10.2.0.0/16]',
    '  - name: mvshim1',
    '    parent: kvmbr1',
    '    routes: [10.3.0.0/16, 10.2.0.0/16]',
    '',
  ].join('\n');
  const result = parseConfig(text, 'routes.yaml');
  t.same(issueKeys(result), ['error duplicate-entry shims[1].routes[1]']);
  t.equal(result.issues[0].line, 7);
  // Naming the first shim is part of the contract, not just wording.
  t.match(result.issues[0].message, /shim 'mvshim0'/);
  t.equal(result.config, undefined);
});

t.test('shared route compared canonically', async (t) => {
  const cases: [string, string][] = [
    ['fd00:124::/64', 'FD00:124:0::/64'],
    ['192.168.124.160/27', '192.168.124.160/27'],
    ['::ffff:10.0.0.0/104', '::ffff:a00:0/104'],
  ];
  for (const [first, second] of cases) {
    const result = parseObject({
      shims: [
        shim({ name: 'mvshim0', addresses: [], routes: [first] }),
        shim({ name: 'mvshim1', addresses: [], routes: [second] }),
      ],
    });
    t.same(issueKeys(result), ['error duplicate-entry shims[1].routes[0]'], `${first} and ${second}`);
  }
});

t.test('different route destinations pass', async (t) => {
  const cases: [string, string][] = [
    ['10.1.0.0/16', '10.1.0.0/24'],
    ['10.1.0.0/16', '10.2.0.0/16'],
    ['fd00:124::/64', 'fd00:125::/64'],
  ];
  for (const [first, second] of cases) {
    const result = parseObject({
      shims: [
        shim({ name: 'mvshim0', addresses: [], routes: [first] }),
        shim({ name: 'mvshim1', addresses: [], routes: [second] }),
      ],
    });
    t.same(issueKeys(result), [], `${first} and ${second}`);
  }
});

t.test('shim routing nothing warns', async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ['both empty', { addresses: [], routes: [] }],
    ['both absent', { addresses: undefined }],
  ];
  for (const [name, overrides] of cases) {
    const result = parseShim(overrides);
    t.same(issueKeys(result), ['warning nothing-routed shims[0]'], name);
    t.ok(result.config, `${name} still gives a config`);
  }
});

t.test('IPv6 needs MTU 1280', async (t) => {
  t.same(
    issueKeys(parseShim({ addresses: ['fd00::2/64'], mtu: 1279 })),
    ['error mtu-out-of-range shims[0].mtu'],
  );
  t.same(
    issueKeys(parseShim({ addresses: [], routes: ['fd00:1::/64'], mtu: 1000 })),
    ['error mtu-out-of-range shims[0].mtu'],
  );
  t.same(issueKeys(parseShim({ addresses: ['10.0.0.2/24'], mtu: 1000 })), []);
});
