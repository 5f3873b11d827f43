// The packaged unit file: its hardening score and the directives that the
// daemon and the docs rely on. The score comes from
// `systemd-analyze security --offline=true`, which reads the file without a
// running systemd.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const SYSTEMD_DIR = resolve(__dirname, '..', '..', '..', 'packaging', 'systemd');
const UNIT_PATH = resolve(SYSTEMD_DIR, 'macvlan-shim.service');
const DROP_IN_PATH = resolve(SYSTEMD_DIR, 'notify-reload.conf');

/** The exposure at or below which the unit passes. */
const MAX_EXPOSURE = 1.1;

/** Directive values per section; a directive may repeat. */
type UnitFile = Map<string, Map<string, string[]>>;

function parseUnitFile(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let current: Map<string, string[]> | undefined;

  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;

    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === undefined || equals < 0) continue;
    const key = line.slice(0, equals).trim();
    const values = current.get(key) ?? [];
    values.push(line.slice(equals + 1).trim());
    current.set(key, values);
  }
  return sections;
}

function values(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** Words of every assignment of a list directive such as Before=. */
function words(unit: UnitFile, section: string, key: string): string[] {
  return values(unit, section, key).flatMap((value) => value.split(/\s+/));
}

const unit = parseUnitFile(readFileSync(UNIT_PATH, 'utf8'));

function findAnalyzerSkipReason(): string | undefined {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  return 'systemd-analyze is missing; run .ci/setup-systemd-test.sh';
}

const analyzerSkipReason = findAnalyzerSkipReason();
if (analyzerSkipReason !== undefined && process.env.CI === 'true') {
  t.fail(analyzerSkipReason);
}

t.test(
  'security exposure at the floor',
  { skip: analyzerSkipReason ?? false },
  (t) => {
    const result = spawnSync(
      'systemd-analyze',
      [
        'security',
        '--offline=true',
        `--threshold=${Math.round(MAX_EXPOSURE * 10)}`,
        '--no-pager',
        UNIT_PATH,
      ],
      { encoding: 'utf8' },
    );

    const match = /Overall exposure level for \S+: (\d+\.\d+)/.exec(
      result.stdout,
    );
    t.ok(match, 'exposure line in the output');
    if (!match) t.comment(`${result.stdout}${result.stderr}`);
    const exposure = Number(match?.[1]);
    t.comment(`exposure ${exposure} (max ${MAX_EXPOSURE})`);

    t.ok(exposure <= MAX_EXPOSURE, `exposure ${exposure} <= ${MAX_EXPOSURE}`);
    t.equal(result.status, 0, 'systemd-analyze --threshold passes');
    t.end();
  },
);

t.test('service type and commands', (t) => {
  const cli = '/usr/bin/node /opt/macvlan-shim/dist/cli.js';
  const config = '--config /etc/macvlan-shim/config.yaml';
  const expected: [string, string[]][] = [
    ['Type', ['notify']],
    ['NotifyAccess', ['main']],
    ['ExecStartPre', [`${cli} check --file-only ${config}`]],
    ['ExecStart', [`${cli} run ${config}`]],
    ['ExecReload', ['/bin/kill -HUP $MAINPID']],
    ['KillMode', ['mixed']],
    ['Restart', ['on-failure']],
  ];
  for (const [key, value] of expected) {
    t.strictSame(values(unit, 'Service', key), value, key);
  }

  const watchdog = values(unit, 'Service', 'WatchdogSec');
  t.equal(watchdog.length, 1, 'WatchdogSec= set once');
  t.match(watchdog[0], /^[1-9][0-9]*s$/, 'WatchdogSec= in seconds');
  const stopTimeout = values(unit, 'Service', 'TimeoutStopSec');
  t.equal(stopTimeout.length, 1, 'TimeoutStopSec= set once');
  t.ok(parseInt(stopTimeout[0], 10) <= 30, 'TimeoutStopSec= at most 30 s');
  t.end();
});

t.test('ordering before network.target and Docker', (t) => {
  const before = words(unit, 'Unit', 'Before');
  t.ok(before.includes('network.target'), 'Before=network.target');
  t.ok(before.includes('docker.service'), 'Before=docker.service');

  const after = words(unit, 'Unit', 'After');
  t.ok(after.includes('systemd-networkd.service'), 'After=systemd-networkd');
  t.ok(after.includes('NetworkManager.service'), 'After=NetworkManager');
  t.notOk(after.includes('network-online.target'), 'no wait for online');
  t.notOk(
    words(unit, 'Unit', 'Requires').includes('docker.service'),
    'does not pull in Docker',
  );
  t.strictSame(values(unit, 'Install', 'WantedBy'), ['multi-user.target']);
  t.end();
});

t.test('privileges limited to CAP_NET_ADMIN', (t) => {
  t.strictSame(values(unit, 'Service', 'DynamicUser'), ['yes']);
  t.strictSame(values(unit, 'Service', 'AmbientCapabilities'), [
    'CAP_NET_ADMIN',
  ]);
  t.strictSame(values(unit, 'Service', 'CapabilityBoundingSet'), [
    'CAP_NET_ADMIN',
  ]);
  t.strictSame(values(unit, 'Service', 'RestrictAddressFamilies'), [
    'AF_NETLINK AF_UNIX',
  ]);
  t.strictSame(values(unit, 'Service', 'User'), [], 'no fixed root User=');
  t.end();
});

t.test('settings that Node needs', (t) => {
  const filters = words(unit, 'Service', 'SystemCallFilter');
  t.ok(filters.includes('@system-service'), '@system-service allowed');
  t.ok(filters.includes('@pkey'), '@pkey allowed (V8 calls pkey_alloc)');

  // Node dies at start under the first (V8 JIT); the second leaves
  // CAP_NET_ADMIN without effect on the host's interfaces.
  for (const key of ['MemoryDenyWriteExecute', 'PrivateUsers']) {
    t.strictSame(values(unit, 'Service', key), [], `${key}= not set`);
  }
  // ProcSubset=pid would hide /proc/sys, including the path made writable.
  t.strictSame(values(unit, 'Service', 'ProcSubset'), [], 'ProcSubset= not set');
  t.strictSame(values(unit, 'Service', 'ProtectKernelTunables'), ['yes']);
  t.ok(
    words(unit, 'Service', 'ReadWritePaths').includes('/proc/sys/net/ipv6/conf'),
    'per-interface IPv6 sysctls stay writable',
  );
  t.end();
});

t.test('notify-reload drop-in', (t) => {
  const dropIn = parseUnitFile(readFileSync(DROP_IN_PATH, 'utf8'));
  t.strictSame(values(dropIn, 'Service', 'Type'), ['notify-reload']);
  t.strictSame(values(dropIn, 'Service', 'ReloadSignal'), ['SIGHUP']);
  // An empty assignment clears the unit's ExecReload=, which would otherwise
  // send a second SIGHUP.
  t.strictSame(values(dropIn, 'Service', 'ExecReload'), ['']);
  t.strictSame([...dropIn.keys()], ['Service'], 'only a [Service] section');
  t.end();
});
