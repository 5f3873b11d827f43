import t from 'tap';

import { parseConfig } from '../../../src/config';
import { issueKeys, parseObject, shim } from './fixtures/helpers';

const SPEC_EXAMPLE = `log:
  level: info            # trace | debug | info | warn | error (default info)
resync: 300              # seconds between full resyncs; 0 = off (default 300)
shims:
  - name: nic-macvlan    # interface to create
    parent: kvmbr0
    mode: bridge         # bridge (default) | private | vepa | passthru
    promisc: true        # default true
    addresses: [192.168.124.190/27, "fd00:124::190/64"]   # optional, default []
    routes: [192.168.124.160/27]                          # optional, default []
    mtu: 1500            # optional, 68..65535
    mac: 02:11:22:33:44:55   # optional
    docker:              # optional: the Docker macvlan network the shim serves
      subnet: 192.168.124.0/24
      gateway: 192.168.124.1
      ip_range: 192.168.124.160/27
      aux_addresses: [192.168.124.190]    # also accept the Docker form: mapping name -> address
      containers: [192.168.124.170]
`;

t.test('full example config', async (t) => {
  const result = parseConfig(SPEC_EXAMPLE, 'example.yaml');
  t.same(result.issues, []);
  t.same(result.config, {
    log: { level: 'info' },
    resyncSeconds: 300,
    shims: [
      {
        name: 'nic-macvlan',
        parent: 'kvmbr0',
        mode: 'bridge',
        promisc: true,
        addresses: [
          { family: 4, address: '192.168.124.190', prefixLength: 27, text: '192.168.124.190/27' },
          { family: 6, address: 'fd00:124::190', prefixLength: 64, text: 'fd00:124::190/64' },
        ],
        routes: [
          { family: 4, address: '192.168.124.160', prefixLength: 27, text: '192.168.124.160/27' },
        ],
        mtu: 1500,
        mac: '02:11:22:33:44:55',
        docker: {
          subnet: { family: 4, address: '192.168.124.0', prefixLength: 24, text: '192.168.124.0/24' },
          gateway: '192.168.124.1',
          ipRange: { family: 4, address: '192.168.124.160', prefixLength: 27, text: '192.168.124.160/27' },
          auxAddresses: ['192.168.124.190'],
          containers: ['192.168.124.170'],
        },
      },
    ],
  });
});

t.test('defaults fill optional keys', async (t) => {
  const result = parseObject({ shims: [{ name: 'mvshim0', parent: 'eth0', routes: ['10.1.0.0/16'] }] });
  t.same(result.issues, []);
  t.equal(result.config?.log.level, 'info');
  t.equal(result.config?.resyncSeconds, 300);
  const only = result.config?.shims[0];
  t.equal(only?.mode, 'bridge');
  t.equal(only?.promisc, true);
  t.same(only?.addresses, []);
  t.equal(only?.mtu, undefined);
  t.equal(only?.mac, undefined);
  t.equal(only?.docker, undefined);
});

t.test('valid variations have no issues', async (t) => {
  const cases: [string, unknown][] = [
    ['address-less shim with routes', { shims: [shim({ addresses: [], routes: ['192.168.124.160/27'] })] }],
    ['two shims on one parent', {
      shims: [
        shim(),
        shim({ name: 'mvshim1', addresses: ['192.168.125.190/27'] }),
      ],
    }],
    ['two shims on two parents', {
      shims: [shim(), shim({ name: 'mvshim1', parent: 'kvmbr1', addresses: ['10.0.0.2/24'] })],
    }],
    ['resync off', { resync: 0, shims: [shim()] }],
    ['each log level', { log: { level: 'trace' }, shims: [shim()] }],
    // The other modes warn, which values.test.ts checks.
    ['explicit bridge mode', { shims: [shim({ mode: 'bridge' })] }],
    ['promisc off', { shims: [shim({ promisc: false })] }],
    ['/31 and /32 addresses', { shims: [shim({ addresses: ['10.0.0.0/31', '10.0.1.7/32'] })] }],
    ['IPv6 only with mtu 1280', { shims: [shim({ addresses: ['fd00::2/64'], mtu: 1280 })] }],
    ['IPv4 with small mtu', { shims: [shim({ mtu: 68 })] }],
  ];
  for (const [name, config] of cases) {
    const result = parseObject(config);
    t.same(issueKeys(result), [], name);
    t.ok(result.config, `${name} gives a config`);
  }
});

t.test('IPv6 stored in canonical form', async (t) => {
  const result = parseObject({ shims: [shim({ addresses: ['FD00:0124:0:0::0190/64'] })] });
  t.same(result.config?.shims[0].addresses[0], {
    family: 6,
    address: 'fd00:124::190',
    prefixLength: 64,
    text: 'fd00:124::190/64',
  });
});

t.test('structural errors', async (t) => {
  const cases: [string, string, string[]][] = [
    ['empty file', '', ['error missing-key shims']],
    ['comment only', '# nothing\n', ['error missing-key shims']],
    ['scalar root', 'hello\n', ['error not-a-mapping ']],
    ['list root', '- a\n', ['error not-a-mapping ']],
    ['no shims', 'log: {level: info}\n', ['error missing-key shims']],
    ['shims is a string', 'shims: nic\n', ['error not-a-list shims']],
    ['shims is a mapping', 'shims: {name: a}\n', ['error not-a-list shims']],
    ['shims is empty', 'shims: []\n', ['error not-a-list shims']],
    ['shims has no value', 'shims:\n', ['error not-a-list shims']],
    ['shim is a string', 'shims: [nic]\n', ['error not-a-mapping shims[0]']],
    ['unknown top-level key', 'shim: []\nshims: [{name: a, parent: b, routes: [10.0.0.0/8]}]\n', ['error unknown-key shim']],
    ['unknown shim key', 'shims: [{name: a, parent: b, routes: [10.0.0.0/8], adresses: []}]\n', ['error unknown-key shims[0].adresses']],
    ['missing name', 'shims: [{parent: b, routes: [10.0.0.0/8]}]\n', ['error missing-key shims[0].name']],
    ['missing parent', 'shims: [{name: a, routes: [10.0.0.0/8]}]\n', ['error missing-key shims[0].parent']],
    ['name is a number', 'shims: [{name: 5, parent: b, routes: [10.0.0.0/8]}]\n', ['error invalid-type shims[0].name']],
    ['name is empty', 'shims: [{name: , parent: b, routes: [10.0.0.0/8]}]\n', ['error invalid-type shims[0].name']],
    ['addresses is a string', 'shims: [{name: a, parent: b, addresses: 10.0.0.1/8}]\n', ['error not-a-list shims[0].addresses']],
    ['address is a number', 'shims: [{name: a, parent: b, addresses: [5]}]\n', ['error invalid-type shims[0].addresses[0]']],
    ['promisc is yes', 'shims: [{name: a, parent: b, routes: [10.0.0.0/8], promisc: yes}]\n', ['error invalid-type shims[0].promisc']],
    ['mtu is quoted', 'shims: [{name: a, parent: b, routes: [10.0.0.0/8], mtu: "1500"}]\n', ['error invalid-type shims[0].mtu']],
    ['log is a string', 'log: info\nshims: [{name: a, parent: b, routes: [10.0.0.0/8]}]\n', ['error not-a-mapping log']],
    ['unknown log key', 'log: {lvl: info}\nshims: [{name: a, parent: b, routes: [10.0.0.0/8]}]\n', ['error unknown-key log.lvl']],
    ['docker is a list', 'shims: [{name: a, parent: b, routes: [10.0.0.0/8], docker: []}]\n', ['error not-a-mapping shims[0].docker']],
    ['docker without subnet', 'shims: [{name: a, parent: b, routes: [10.0.0.0/8], docker: {gateway: 10.0.0.1}}]\n', ['error missing-key shims[0].docker.subnet']],
    ['merge key', 'shims: [{<<: {name: a}, parent: b, routes: [10.0.0.0/8]}]\n', ['error missing-key shims[0].name', 'error unknown-key shims[0]["<<"]']],
  ];
  for (const [name, text, expected] of cases) {
    const result = parseConfig(text, 'test.yaml');
    t.same(issueKeys(result).sort(), expected, name);
    t.equal(result.config, undefined, `${name} gives no config`);
  }
});

t.test('all errors reported together', async (t) => {
  const result = parseObject({
    log: { level: 'loud' },
    resync: -5,
    shims: [shim({ mode: 'bridged', mtu: 10 }), { parent: 'kvmbr0', routes: ['10.0.0.0/8'] }],
  });
  t.same(issueKeys(result).sort(), [
    'error invalid-value log.level',
    'error invalid-value resync',
    'error invalid-value shims[0].mode',
    'error missing-key shims[1].name',
    'error mtu-out-of-range shims[0].mtu',
  ]);
});

t.test('warnings alone still give a config', async (t) => {
  const result = parseObject({ shims: [shim({ name: 'eth-shim' })] });
  t.same(issueKeys(result), ['warning name-pattern shims[0].name']);
  t.ok(result.config);
});

t.test('issue line and column', async (t) => {
  const text = [
    'shims:',
    '  - name: nic-macvlan',
    '    parent: kvmbr0',
    '    moed: bridge',
    '    addresses:',
    '      - 192.168.124.190/27',
    '      - 300.1.1.1/24',
    '    mtu: 9',
    '',
  ].join('\n');
  const result = parseConfig(text, 'pos.yaml');
  const where = result.issues.map((issue) => [issue.path, issue.line, issue.column]);
  t.same(where, [
    ['shims[0].moed', 4, 5],
    ['shims[0].addresses[1]', 7, 9],
    ['shims[0].mtu', 8, 10],
  ]);
  t.ok(result.issues.every((issue) => issue.file === 'pos.yaml'));
});

t.test('issue value as written', async (t) => {
  const result = parseConfig('shims: [{name: a, parent: b, routes: [10.0.0.0/8], mtu: 0x10}]\n', 'v.yaml');
  t.equal(result.issues[0].code, 'mtu-out-of-range');
  t.equal(result.issues[0].value, '0x10');
});
