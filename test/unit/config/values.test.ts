import t from 'tap';

import { parseConfig } from '../../../src/config';
import { issueKeys, parseObject, parseShim, shim } from './fixtures/helpers';

t.test('valid MAC addresses', async (t) => {
  for (const mac of ['02:11:22:33:44:55', '02:AB:cd:EF:00:01', '00:16:3e:00:00:01', 'fe:ff:ff:ff:ff:ff']) {
    const result = parseShim({ mac });
    t.same(issueKeys(result), [], mac);
    t.equal(result.config?.shims[0].mac, mac.toLowerCase(), `${mac} is stored in lower case`);
  }
});

t.test('invalid MAC addresses', async (t) => {
  const bad = [
    '02:11:22:33:44',
    '02:11:22:33:44:55:66',
    '02-11-22-33-44-55',
    '0211.2233.4455',
    '2:11:22:33:44:55',
    '02:11:22:33:44:5g',
    '',
    '00:00:00:00:00:00',
    'ff:ff:ff:ff:ff:ff',
    '01:00:5e:00:00:01',
    '33:33:00:00:00:01',
    '03:11:22:33:44:55',
  ];
  for (const mac of bad) {
    t.same(issueKeys(parseShim({ mac })), ['error invalid-mac shims[0].mac'], JSON.stringify(mac));
  }
  t.same(
    issueKeys(parseConfig('shims: [{name: a1, parent: b, routes: [10.0.0.0/8], mac: 021122334455}]\n', 'm.yaml')),
    ['error invalid-type shims[0].mac'],
    'a MAC that YAML reads as a number',
  );
});

t.test('MTU bounds', async (t) => {
  for (const mtu of [68, 1280, 1500, 9000, 65535]) {
    t.same(issueKeys(parseShim({ mtu })), [], String(mtu));
  }
  const cases: [unknown, string][] = [
    [67, 'error mtu-out-of-range shims[0].mtu'],
    [0, 'error mtu-out-of-range shims[0].mtu'],
    [-1500, 'error mtu-out-of-range shims[0].mtu'],
    [65536, 'error mtu-out-of-range shims[0].mtu'],
    [1500.5, 'error invalid-value shims[0].mtu'],
    ['1500', 'error invalid-type shims[0].mtu'],
    [true, 'error invalid-type shims[0].mtu'],
    [[1500], 'error invalid-type shims[0].mtu'],
  ];
  for (const [mtu, expected] of cases) {
    t.same(issueKeys(parseShim({ mtu })), [expected], JSON.stringify(mtu));
  }
});

t.test('log level values', async (t) => {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error']) {
    const result = parseObject({ log: { level }, shims: [shim()] });
    t.equal(result.config?.log.level, level);
  }
  for (const level of ['Info', 'warning', 'fatal', 3, '']) {
    const result = parseObject({ log: { level }, shims: [shim()] });
    const code = typeof level === 'number' ? 'invalid-type' : 'invalid-value';
    t.same(issueKeys(result), [`error ${code} log.level`], JSON.stringify(level));
  }
});

t.test('resync values', async (t) => {
  for (const resync of [0, 1, 300, 2147483]) {
    const result = parseObject({ resync, shims: [shim()] });
    t.equal(result.config?.resyncSeconds, resync);
  }
  const cases: [unknown, string][] = [
    [-1, 'invalid-value'],
    [1.5, 'invalid-value'],
    [2147484, 'invalid-value'],
    [1e300, 'invalid-value'],
    ['300', 'invalid-type'],
    ['5m', 'invalid-type'],
    [null, 'invalid-type'],
  ];
  for (const [resync, code] of cases) {
    const result = parseObject({ resync, shims: [shim()] });
    t.same(issueKeys(result), [`error ${code} resync`], JSON.stringify(resync));
  }
});

t.test('mode values', async (t) => {
  for (const mode of ['bridge', 'private', 'vepa', 'passthru']) {
    t.equal(parseShim({ mode }).config?.shims[0].mode, mode);
  }
  t.same(issueKeys(parseShim({ mode: 'bridge' })), [], 'bridge');
  for (const mode of ['Bridge', 'source', 'l2', '']) {
    t.same(issueKeys(parseShim({ mode })), ['error invalid-value shims[0].mode'], JSON.stringify(mode));
  }
});

t.test('modes other than bridge warn', async (t) => {
  for (const mode of ['private', 'vepa', 'passthru']) {
    const result = parseShim({ mode });
    t.same(issueKeys(result), ['warning invalid-value shims[0].mode'], mode);
    t.equal(result.issues[0]?.value, mode, `${mode} is the issue value`);
    t.ok(result.config, `${mode} still gives a config`);
  }
  t.same(issueKeys(parseShim({ mode: undefined })), [], 'absent mode means bridge');
});

t.test('same MAC on one parent', async (t) => {
  const text = [
    'shims:',
    '  - name: mvshim0',
    '    parent: kvmbr0',
    '    routes: [10.1.0.0/16]',
    '    mac: 02:11:22:33:44:55',
    '  - name: mvshim1',
    '    parent: kvmbr0',
    '    routes: [10.2.0.0/16]',
    '    mac: 02:11:22:33:44:55',
    '',
  ].join('\n');
  const result = parseConfig(text, 'mac.yaml');
  t.same(issueKeys(result), ['error duplicate-entry shims[1].mac']);
  t.same([result.issues[0].line, result.issues[0].column], [9, 10]);
  // Naming the first shim's line is part of the contract, not just wording.
  t.match(result.issues[0].message, /line 5\b/);
  t.equal(result.config, undefined);
});

t.test('same MAC compared without case', async (t) => {
  const result = parseObject({
    shims: [
      shim({ name: 'mvshim0', mac: '02:AB:CD:EF:00:01' }),
      shim({ name: 'mvshim1', addresses: ['192.168.125.190/27'], mac: '02:ab:cd:ef:00:01' }),
    ],
  });
  t.same(issueKeys(result), ['error duplicate-entry shims[1].mac']);
});

t.test('same MAC on other parent warns', async (t) => {
  const result = parseObject({
    shims: [
      shim({ name: 'mvshim0', mac: '02:11:22:33:44:55' }),
      shim({ name: 'mvshim1', parent: 'kvmbr1', addresses: ['192.168.125.190/27'], mac: '02:11:22:33:44:55' }),
    ],
  });
  t.same(issueKeys(result), ['warning duplicate-entry shims[1].mac']);
  t.ok(result.config, 'the kernel accepts it, so there is a config');
});

t.test('same MAC reported once per shim', async (t) => {
  // The third shim shares a parent with the first, so it gets the error,
  // not a warning about the second.
  const result = parseObject({
    shims: [
      shim({ name: 'mvshim0', mac: '02:11:22:33:44:55' }),
      shim({ name: 'mvshim1', parent: 'kvmbr1', addresses: ['192.168.125.190/27'], mac: '02:11:22:33:44:55' }),
      shim({ name: 'mvshim2', addresses: ['192.168.126.190/27'], mac: '02:11:22:33:44:55' }),
    ],
  });
  t.same(issueKeys(result), [
    'warning duplicate-entry shims[1].mac',
    'error duplicate-entry shims[2].mac',
  ]);
});

t.test('distinct or absent MACs pass', async (t) => {
  const result = parseObject({
    shims: [
      shim({ name: 'mvshim0', mac: '02:11:22:33:44:55' }),
      shim({ name: 'mvshim1', addresses: ['192.168.125.190/27'], mac: '02:11:22:33:44:56' }),
      shim({ name: 'mvshim2', addresses: ['192.168.126.190/27'] }),
      shim({ name: 'mvshim3', addresses: ['192.168.127.190/27'] }),
    ],
  });
  t.same(issueKeys(result), []);
});
