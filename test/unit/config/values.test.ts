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
  for (const mode of ['Bridge', 'source', 'l2', '']) {
    t.same(issueKeys(parseShim({ mode })), ['error invalid-value shims[0].mode'], JSON.stringify(mode));
  }
});
