import t from 'tap';
import { parseAttributes } from '../../../src/netlink/attributes';
import { canonicalIpv6, formatIp } from '../../../src/netlink/ip-bytes';
import { decodeAddress, decodeLink, decodeRoute, linkIndexOf, routeIndexOf } from '../../../src/netlink/decode';
import { encodeAttribute, encodeIpv4Settings, encodeMacvlanInfo, encodeU32 } from '../../../src/netlink/encode';

const string = (text: string) => Buffer.from(`${text}\0`);

function ifinfomsg(index: number, flags: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(index, 4);
  header.writeUInt32LE(flags, 8);
  return header;
}

t.test('attribute encoding pads to four bytes', async (t) => {
  t.same([...encodeAttribute(3, Buffer.from('ab\0'))], [7, 0, 3, 0, 0x61, 0x62, 0, 0]);
  t.same([...encodeAttribute(29, encodeU32(8))], [8, 0, 29, 0, 8, 0, 0, 0]);
});

t.test('macvlan linkinfo golden bytes', async (t) => {
  // IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA { IFLA_MACVLAN_MODE = 4 (bridge) }
  const expected = [12, 0, 1, 0, ...Buffer.from('macvlan\0'), 12, 0, 2, 0, 8, 0, 1, 0, 4, 0, 0, 0];
  t.same([...encodeMacvlanInfo('bridge')], expected);
});

t.test('IPv4 settings golden bytes', async (t) => {
  const spec = encodeIpv4Settings();
  // AF_INET -> IFLA_INET_CONF { PROMOTE_SECONDARIES (20) = 1, ARP_NOTIFY (22) = 1 }
  t.same([...spec.get(2)!], [20, 0, 1, 0, 8, 0, 20, 0, 1, 0, 0, 0, 8, 0, 22, 0, 1, 0, 0, 0]);
});

t.test('link decodes a macvlan', async (t) => {
  const info = encodeMacvlanInfo('vepa');
  const payload = Buffer.concat([
    ifinfomsg(7, 0x1 | 0x100 | 0x10000),
    encodeAttribute(3, string('shim0')),
    encodeAttribute(4, encodeU32(1400)),
    encodeAttribute(5, encodeU32(2)),
    encodeAttribute(1, Buffer.from([2, 0, 0, 0, 0, 1])),
    encodeAttribute(18, info),
    encodeAttribute(20, string('managed by macvlan-shim')),
  ]);
  t.same(decodeLink(payload), {
    index: 7,
    name: 'shim0',
    kind: 'macvlan',
    parentIndex: 2,
    macvlanMode: 'vepa',
    mac: '02:00:00:00:00:01',
    mtu: 1400,
    up: true,
    promisc: true,
    lowerUp: true,
    alias: 'managed by macvlan-shim',
    masterIndex: undefined,
  });
  t.equal(linkIndexOf(payload), 7);
});

t.test('link without a name is skipped', async (t) => {
  t.equal(decodeLink(ifinfomsg(3, 0)), undefined);
  t.equal(decodeLink(Buffer.alloc(4)), undefined, 'short header');
});

t.test('truncated attributes end the run', async (t) => {
  const bytes = Buffer.concat([encodeAttribute(3, string('a')), Buffer.from([40, 0, 4, 0, 1])]);
  t.same([...parseAttributes(bytes).keys()], [3]);
});

t.test('address decodes IPv4 local and IPv6', async (t) => {
  const v4 = Buffer.concat([
    Buffer.from([2, 27, 0, 0, 9, 0, 0, 0]),
    encodeAttribute(1, Buffer.from([10, 0, 0, 9])),
    encodeAttribute(2, Buffer.from([192, 168, 124, 190])),
  ]);
  t.same(decodeAddress(v4), { index: 9, family: 4, address: '192.168.124.190', prefixLength: 27, scope: 0 });
  const bytes = Buffer.alloc(16);
  bytes.writeUInt16BE(0xfd00, 0);
  bytes.writeUInt16BE(0x124, 2);
  bytes.writeUInt16BE(0x190, 14);
  const v6 = Buffer.concat([Buffer.from([10, 64, 0, 0, 9, 0, 0, 0]), encodeAttribute(1, bytes)]);
  t.same(decodeAddress(v6), { index: 9, family: 6, address: 'fd00:124::190', prefixLength: 64, scope: 0 });
});

t.test('route decodes destination, table and protocol', async (t) => {
  const payload = Buffer.concat([
    Buffer.from([2, 27, 0, 0, 254, 233, 253, 1, 0, 0, 0, 0]),
    encodeAttribute(15, encodeU32(254)),
    encodeAttribute(1, Buffer.from([192, 168, 124, 160])),
    encodeAttribute(4, encodeU32(9)),
  ]);
  t.same(decodeRoute(payload), {
    index: 9,
    family: 4,
    destination: '192.168.124.160',
    prefixLength: 27,
    protocol: 233,
    table: 254,
    gateway: undefined,
  });
  t.equal(routeIndexOf(payload), 9);
});

t.test('default route without RTA_DST', async (t) => {
  const payload = Buffer.concat([Buffer.from([2, 0, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]), encodeAttribute(4, encodeU32(3))]);
  t.match(decodeRoute(payload), { destination: '0.0.0.0', prefixLength: 0, table: 254 });
});

t.test('multipath route is skipped', async (t) => {
  const payload = Buffer.concat([Buffer.from([2, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]), encodeAttribute(9, Buffer.alloc(8))]);
  t.equal(decodeRoute(payload), undefined);
});

t.test('IPv6 text follows RFC 5952', async (t) => {
  const ipv6 = (text: string) => {
    const bytes = Buffer.alloc(16);
    text.split(':').forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
    return bytes;
  };
  const cases: [string, string][] = [
    ['fd00:124:0:0:0:0:0:190', 'fd00:124::190'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:1:2:3:4', 'fe80::1:2:3:4'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:2:3:4:5:0', '2001:db8:1:2:3:4:5:0'],
    ['2001:0:1:2:3:4:5:6', '2001:0:1:2:3:4:5:6'],
    ['ff02:0:0:0:0:0:0:0', 'ff02::'],
  ];
  for (const [expanded, expected] of cases) {
    t.equal(formatIp(ipv6(expanded)), expected, expanded);
  }
});

t.test('config IPv6 text matches kernel text', async (t) => {
  t.equal(canonicalIpv6('FD00:124:0:0::0190'), 'fd00:124::190');
  t.equal(canonicalIpv6('2001:db8::1:0:0:1'), '2001:db8::1:0:0:1');
  t.equal(canonicalIpv6('::ffff:192.168.1.2'), '::ffff:c0a8:102');
  t.equal(canonicalIpv6('::'), '::');
});
