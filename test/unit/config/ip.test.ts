import t from 'tap';

import {
  blockContains,
  blockInside,
  networkOf,
  parseAddress,
  parseBlock,
  shortSpan,
  type IpBlock,
} from '../../../src/config/ip';
import { looksLikeNetmask } from '../../../src/config/validate-address';
import { nearestWord } from '../../../src/config/suggest';
import { issueKeys, parseShim } from './fixtures/helpers';

function block(text: string): IpBlock {
  const result = parseBlock(text);
  if (!result.ok) {
    throw new Error(`${text} does not parse: ${result.problem}`);
  }
  return result.block;
}

t.test('parseBlock first and last address', async (t) => {
  const cases: [string, string, string][] = [
    ['192.168.124.190/27', '192.168.124.160', '192.168.124.191'],
    ['192.168.178.201/29', '192.168.178.200', '192.168.178.207'],
    ['10.1.2.3/32', '10.1.2.3', '10.1.2.3'],
    ['10.1.2.3/0', '0.0.0.0', '255.255.255.255'],
    ['fd00:124::190/64', 'fd00:124::', 'fd00:124::ffff:ffff:ffff:ffff'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['::/0', '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ];
  for (const [text, first, last] of cases) {
    const parsed = block(text);
    t.same([parsed.first.text, parsed.last.text], [first, last], text);
  }
});

t.test('parseBlock reports the problem', async (t) => {
  const cases: [string, string][] = [
    ['10.0.0.1', 'missing-length'],
    ['10.0.0.1/33', 'invalid-length'],
    ['10.0.0.1/08', 'invalid-length'],
    ['10.0.0.1/', 'invalid-length'],
    ['10.0.0/8', 'invalid-address'],
    ['fe80::1%eth0/64', 'invalid-address'],
    [`${'1'.repeat(50)}/8`, 'invalid-address'],
  ];
  for (const [text, problem] of cases) {
    const result = parseBlock(text);
    t.same(result, { ok: false, problem }, text);
  }
});

t.test('IPv6 text is canonical', async (t) => {
  const cases: [string, string][] = [
    ['FD00:0124:0000:0000:0000:0000:0000:0190', 'fd00:124::190'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::', '::'],
  ];
  for (const [text, canonical] of cases) {
    t.equal(parseAddress(text)?.text, canonical, text);
  }
});

t.test('shortSpan leaves out shared octets', async (t) => {
  t.equal(shortSpan(networkOf(block('192.168.178.201/29'))), '.200–.207');
  t.equal(shortSpan(block('10.1.0.0/16')), '.0.0–.255.255');
  t.equal(shortSpan(block('10.0.0.0/8')), '.0.0.0–.255.255.255');
  t.equal(shortSpan(block('0.0.0.0/0')), '0.0.0.0–255.255.255.255');
  t.equal(shortSpan(block('fd00::/64')), 'fd00::–fd00::ffff:ffff:ffff:ffff');
});

t.test('block containment', async (t) => {
  const subnet = block('192.168.124.0/24');
  t.ok(blockContains(subnet, block('192.168.124.255/32').address));
  t.notOk(blockContains(subnet, block('192.168.125.0/32').address));
  t.notOk(blockContains(subnet, block('::ffff:192.168.124.1/128').address), 'families never mix');
  t.ok(blockInside(block('192.168.124.160/27'), subnet));
  t.notOk(blockInside(block('192.168.0.0/16'), subnet));
});

t.test('netmask detection', async (t) => {
  const value = (text: string): bigint => parseAddress(text)?.value ?? -1n;
  for (const mask of ['255.255.255.0', '255.255.255.255', '128.0.0.0', '255.128.0.0', '255.255.255.252']) {
    t.ok(looksLikeNetmask(value(mask)), mask);
  }
  for (const address of ['0.0.0.0', '192.168.1.0', '255.0.255.0', '10.255.255.255', '254.255.0.0']) {
    t.notOk(looksLikeNetmask(value(address)), address);
  }
});

t.test('host-bits message names block', async (t) => {
  const result = parseShim({ routes: ['192.168.178.201/29'] });
  t.same(issueKeys(result), ['error host-bits-set shims[0].routes[0]']);
  t.match(result.issues[0].message, '192.168.178.200/29 (.200–.207)');
});

t.test('nearestWord suggests close keys only', async (t) => {
  const keys = ['name', 'parent', 'addresses', 'routes', 'ip_range', 'aux_addresses'];
  t.equal(nearestWord('adresses', keys), 'addresses');
  t.equal(nearestWord('Parent', keys), 'parent');
  t.equal(nearestWord('ip-range', keys), 'ip_range');
  t.equal(nearestWord('aux-addresses', keys), 'aux_addresses');
  t.equal(nearestWord('route', keys), 'routes');
  t.equal(nearestWord('gateway', keys), undefined);
  t.equal(nearestWord('x'.repeat(100), keys), undefined);
});
