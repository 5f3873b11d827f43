/**
 * macvlan-shim installed as a systemd service in an nspawn container: the
 * shared setup of the tests that run it under a real systemd, and small
 * readers for what they assert on.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  Container,
  bootContainer,
  ensureDebianRoot,
  findDebianMirror,
  findMissingCommands,
  mustRunInContainer,
  readJournal,
  runInContainer,
  stopContainer,
  writeContainerFile,
} from './nspawn';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const INSTALL_DIR = '/opt/macvlan-shim';
export const UNIT = 'macvlan-shim.service';
export const CONFIG_PATH = '/etc/macvlan-shim/config.yaml';

export const SHIM = 'msd-shim';
export const PARENT = 'msd-nic0';
const PARENT_PEER = 'msd-nic0p';
export const FIRST_ADDRESS = '192.168.124.190/27';
export const SECOND_ADDRESS = '192.168.124.189/27';
export const ROUTE = '192.168.124.160/27';

export function configYaml(address: string): string {
  return [
    'log:',
    '  level: info',
    'shims:',
    `  - name: ${SHIM}`,
    `    parent: ${PARENT}`,
    `    addresses: [${address}]`,
    `    routes: [${ROUTE}]`,
    '',
  ].join('\n');
}

/** A YAML syntax error: the flow sequence is never closed. */
export const BROKEN_YAML = `shims:\n  - name: ${SHIM}\n    parent: [${PARENT}\n`;

function findSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) {
    return 'needs root to debootstrap and boot a systemd-nspawn container';
  }
  const missing = findMissingCommands([
    'debootstrap',
    'systemd-nspawn',
    'nsenter',
    'setpriv',
    'chroot',
  ]);
  if (missing.length > 0) {
    return `missing ${missing.join(', ')}; run .ci/setup-systemd-test.sh`;
  }
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'cli.js'))) {
    return `missing ${REPO_ROOT}/dist/cli.js; run npm run build first`;
  }
  return undefined;
}

/**
 * Registers the file's top-level test, or skips it with the reason when
 * this machine cannot boot a container. Under CI=true a skip is a failure.
 */
export function serviceTest(
  name: string,
  body: (t: tap.Test) => Promise<void>,
): void {
  const skipReason = findSkipReason();
  if (skipReason !== undefined && process.env.CI === 'true') {
    t.fail(`${name}: cannot run in CI: ${skipReason}`);
    return;
  }
  t.test(name, { skip: skipReason ?? false }, body);
}

export interface SystemdRoot {
  /** Cache folder, rebuilt when absent or incomplete. */
  root: string;
  /** Packages to take from bookworm-backports, for a newer systemd. */
  backports?: string[];
}

/** The bookworm root with its own systemd 252. */
export const BOOKWORM_ROOT: SystemdRoot = {
  root: '/var/cache/macvlan-shim-test/bookworm-root',
};

/** The bookworm root with systemd 254 from bookworm-backports. */
export const BACKPORTS_ROOT: SystemdRoot = {
  root: '/var/cache/macvlan-shim-test/bookworm-backports-root',
  backports: ['systemd', 'systemd-sysv', 'libsystemd0'],
};

/**
 * Builds or reuses the cached root, boots it with the repository mounted
 * read-only at /opt/macvlan-shim, and registers the teardown.
 */
export async function startContainer(
  t: tap.Test,
  systemdRoot: SystemdRoot,
): Promise<Container> {
  const suite = 'bookworm';
  const origin = await ensureDebianRoot({
    root: systemdRoot.root,
    suite,
    packages: [
      'systemd',
      'systemd-sysv',
      'dbus',
      'iproute2',
      'procps',
      'python3-minimal',
    ],
    backports: systemdRoot.backports,
    mirror: findDebianMirror(suite),
    requiredPaths: [
      'lib/systemd/systemd',
      'bin/systemctl',
      'bin/journalctl',
      'bin/ip',
      // procps: ExecReload= runs /bin/kill.
      'bin/kill',
      // Shared libraries that the host's node binary and sd-notify load.
      'usr/lib/x86_64-linux-gnu/libstdc++.so.6',
      'usr/lib/x86_64-linux-gnu/libsystemd.so.0',
    ],
  });
  t.comment(`Debian root ${origin}: ${systemdRoot.root}`);

  const container = await bootContainer({
    root: systemdRoot.root,
    machine: `msd-test-${process.pid}`,
    readOnlyBinds: [
      // The unit runs /usr/bin/node, wherever node lives on this host.
      { source: process.execPath, target: '/usr/bin/node' },
      { source: REPO_ROOT, target: INSTALL_DIR },
    ],
  });
  t.teardown(() => stopContainer(container));
  return container;
}

/**
 * Installs the packaged unit as a user would, with the given drop-ins
 * (file name to content), writes the first config and creates the veth
 * pair whose one end is the shim's parent.
 */
export async function installService(
  t: tap.Test,
  container: Container,
  dropIns: Record<string, string>,
): Promise<void> {
  await mustRunInContainer(container, [
    'install', '-m', '0644',
    `${INSTALL_DIR}/packaging/systemd/${UNIT}`,
    `/etc/systemd/system/${UNIT}`,
  ]);
  for (const [name, content] of Object.entries(dropIns)) {
    const path = `/etc/systemd/system/${UNIT}.d/${name}`;
    await writeContainerFile(container, path, content);
  }
  await writeContainerFile(container, CONFIG_PATH, configYaml(FIRST_ADDRESS));
  await mustRunInContainer(container, ['systemctl', 'daemon-reload']);

  const verify = await runInContainer(container, [
    'systemd-analyze', 'verify', `/etc/systemd/system/${UNIT}`,
  ]);
  t.equal(verify.code, 0, `systemd-analyze verify: ${verify.stderr}`);

  await mustRunInContainer(container, [
    'ip', 'link', 'add', PARENT, 'type', 'veth', 'peer', 'name', PARENT_PEER,
  ]);
  await mustRunInContainer(container, ['ip', 'link', 'set', PARENT, 'up']);
  await mustRunInContainer(container, ['ip', 'link', 'set', PARENT_PEER, 'up']);
}

/** Reads a packaged file, for installing it as a drop-in. */
export function packagedFile(name: string): string {
  return readFileSync(resolve(REPO_ROOT, 'packaging', 'systemd', name), 'utf8');
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
}

export async function readLink(
  container: Container,
  name: string,
): Promise<IpLink | undefined> {
  const result = await runInContainer(container, [
    'ip', '-j', 'link', 'show', name,
  ]);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as IpLink[])[0];
}

/** Returns the IPv4 addresses on a link as `address/prefix`, sorted. */
export async function readAddresses(
  container: Container,
  name: string,
): Promise<string[]> {
  const stdout = await mustRunInContainer(container, [
    'ip', '-j', '-4', 'address', 'show', 'dev', name,
  ]);
  const links = JSON.parse(stdout) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  return links
    .flatMap((link) => link.addr_info)
    .map((info) => `${info.local}/${info.prefixlen}`)
    .sort();
}

/** Returns the destinations of the IPv4 routes through a link. */
export async function readRoutes(
  container: Container,
  name: string,
): Promise<string[]> {
  const stdout = await mustRunInContainer(container, [
    'ip', '-j', '-4', 'route', 'show', 'dev', name,
  ]);
  return (JSON.parse(stdout) as { dst: string }[]).map((route) => route.dst);
}

/** Returns the cursor of the unit's newest journal entry, if any. */
export async function lastCursor(
  container: Container,
): Promise<string | undefined> {
  const entries = await readJournal(container, UNIT);
  return entries.at(-1)?.__CURSOR;
}

/**
 * Polls until done(value) returns true or the timeout passes, and returns the last
 * value either way, so the caller's assertions show what was seen.
 */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** Prints the unit's journal, so a failure in CI can be read from the log. */
export async function printJournal(
  t: tap.Test,
  container: Container,
): Promise<void> {
  const journal = await runInContainer(container, [
    'journalctl', '--no-pager', '-o', 'short-precise', '-u', UNIT,
  ]);
  t.comment(`journalctl -u ${UNIT}:\n${journal.stdout}${journal.stderr}`);
}
