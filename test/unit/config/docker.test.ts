import t from 'tap';

import { issueKeys, parseShim } from './fixtures/helpers';

const NETWORK = {
  subnet: '192.168.124.0/24',
  gateway: '192.168.124.1',
  ip_range: '192.168.124.160/27',
  aux_addresses: ['192.168.124.190'],
  containers: ['192.168.124.170'],
};

function parseDocker(
  docker: Record<string, unknown>,
  shimOverrides: Record<string, unknown> = {},
) {
  return parseShim({ docker: { ...NETWORK, ...docker }, ...shimOverrides });
}

t.test('valid docker blocks', async (t) => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['full block', {}, {}],
    ['mapping form of aux_addresses', { aux_addresses: { host: '192.168.124.190', other: '192.168.124.191' } }, {}],
    ['subnet and reservation only', { gateway: undefined, ip_range: undefined, aux_addresses: ['192.168.124.250'], containers: undefined }, { addresses: ['192.168.124.250/24'] }],
    ['shim outside the pool needs no reservation', { aux_addresses: [] }, { addresses: ['192.168.124.100/24'] }],
    ['container covered by a route', { containers: ['192.168.124.180'] }, { addresses: ['192.168.124.190/32'], routes: ['192.168.124.160/27'] }],
    ['IPv6 network', {
      subnet: 'fd00:124::/64', gateway: 'fd00:124::1', ip_range: 'fd00:124::/80',
      aux_addresses: ['fd00:124::190'], containers: ['fd00:124::170'],
    }, { addresses: ['fd00:124::190/64'] }],
  ];
  for (const [name, docker, overrides] of cases) {
    const result = parseDocker(docker, overrides);
    t.same(issueKeys(result), [], name);
    t.ok(result.config?.shims[0].docker, `${name} is kept in the config`);
  }
});

t.test('aux mapping form kept', async (t) => {
  const result = parseDocker({ aux_addresses: { host: '192.168.124.190' } });
  t.same(result.config?.shims[0].docker?.auxAddresses, ['192.168.124.190']);
});

t.test('invalid docker fields', async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['subnet without length', { subnet: '192.168.124.0' }, 'error invalid-cidr shims[0].docker.subnet'],
    ['subnet with host bits', { subnet: '192.168.124.5/24' }, 'error host-bits-set shims[0].docker.subnet'],
    ['ip_range with host bits', { ip_range: '192.168.124.161/27' }, 'error host-bits-set shims[0].docker.ip_range'],
    ['ip_range outside subnet', { ip_range: '192.168.125.160/27' }, 'error outside-subnet shims[0].docker.ip_range'],
    ['ip_range wider than subnet', { ip_range: '192.168.0.0/16' }, 'error outside-subnet shims[0].docker.ip_range'],
    ['gateway outside subnet', { gateway: '192.168.125.1' }, 'error outside-subnet shims[0].docker.gateway'],
    ['gateway with prefix', { gateway: '192.168.124.1/24' }, 'error invalid-address shims[0].docker.gateway'],
    ['gateway not an address', { gateway: 'router' }, 'error invalid-address shims[0].docker.gateway'],
    ['aux outside subnet', { aux_addresses: ['192.168.124.190', '10.0.0.1'] }, 'error outside-subnet shims[0].docker.aux_addresses[1]'],
    ['named aux outside subnet', { aux_addresses: { host: '192.168.124.190', nas: '10.0.0.1' } }, 'error outside-subnet shims[0].docker.aux_addresses.nas'],
    ['aux repeated', { aux_addresses: ['192.168.124.190', '192.168.124.190'] }, 'error duplicate-entry shims[0].docker.aux_addresses[1]'],
    ['container outside subnet', { containers: ['192.168.124.170', '10.0.0.9'] }, 'error outside-subnet shims[0].docker.containers[1]'],
    ['container of the other family', { containers: ['192.168.124.170', 'fd00::9'] }, 'error outside-subnet shims[0].docker.containers[1]'],
    ['aux_addresses a string', { aux_addresses: '192.168.124.190' }, 'error not-a-list shims[0].docker.aux_addresses'],
  ];
  for (const [name, docker, expected] of cases) {
    const result = parseDocker(docker);
    t.ok(issueKeys(result).includes(expected), `${name}: ${expected}`);
    t.equal(result.config, undefined, `${name} gives no config`);
  }
});

t.test('shim address Docker uses', async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['equals the gateway', {}, '192.168.124.1/24'],
    ['equals the implicit gateway', { gateway: undefined }, '192.168.124.1/24'],
    ['equals a fixed container', {}, '192.168.124.170/24'],
  ];
  for (const [name, docker, address] of cases) {
    const result = parseDocker(docker, { addresses: [address] });
    t.ok(
      issueKeys(result).includes('error docker-conflict shims[0].addresses[0]'),
      name,
    );
  }
  const explicit = parseDocker({ gateway: '192.168.124.254' }, { addresses: ['192.168.124.1/24'] });
  t.same(issueKeys(explicit), [], 'the first address is free when the gateway is elsewhere');
});

t.test('unreserved shim address warns', async (t) => {
  const inRange = parseDocker({ aux_addresses: [] });
  t.same(issueKeys(inRange), ['warning unreserved-address shims[0].addresses[0]']);
  t.ok(inRange.config, 'the config is still usable');

  const noRange = parseDocker({ ip_range: undefined, aux_addresses: ['192.168.124.99'] }, { addresses: ['192.168.124.50/24'] });
  t.same(issueKeys(noRange), ['warning unreserved-address shims[0].addresses[0]'], 'without ip_range the whole subnet is the pool');

  const fix = inRange.issues[0].message;
  t.match(fix, "--aux-address 'host=192.168.124.190'", 'the message gives the docker CLI fix');
  t.match(fix, 'aux_addresses: { host: 192.168.124.190 }', 'the message gives the compose fix');
});

t.test('uncovered container warns', async (t) => {
  const result = parseDocker({}, { addresses: ['192.168.124.190/32'], routes: ['192.168.124.176/28'] });
  t.same(issueKeys(result), ['warning not-covered shims[0].docker.containers[0]']);
  t.ok(result.config);

  const ipv6 = parseDocker({}, { addresses: ['fd00::190/64'] });
  t.same(
    issueKeys(ipv6).filter((key) => key.includes('not-covered')),
    ['warning not-covered shims[0].docker.containers[0]'],
    'a prefix of the other family covers nothing',
  );
});
