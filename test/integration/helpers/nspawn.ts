/**
 * A real systemd booted in a systemd-nspawn container, for tests that need
 * the service manager itself: Type=notify, reload, the watchdog, journald.
 *
 * The container gets its own network namespace (--private-network), so every
 * interface a test creates stays inside it. Its root is a cached debootstrap
 * of Debian, mounted with --volatile=overlay so that nothing a test writes
 * reaches the cache.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface CommandResult {
  /** Exit status, or null when the command was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a command to completion. A non-zero exit is a result, not an error. */
export function runCommand(
  argv: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const { input, env = process.env, timeoutMs = 60_000 } = options;

  return new Promise((resolve, reject) => {
    // A process group of its own: a stray `kill 0` inside the command must
    // not reach the test runner.
    const child = spawn(argv[0], argv.slice(1), {
      env,
      detached: true,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The negative PID addresses the command's whole process group.
      if (child.pid !== undefined && child.pid > 0) signal(-child.pid, 'SIGKILL');
    }, timeoutMs);

    child.stdout?.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr?.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    if (input !== undefined && child.stdin) {
      // A command that exits without reading causes EPIPE here. The caller
      // checks its exit status instead.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/** Returns the commands that are not found on PATH. */
export function findMissingCommands(commands: string[]): string[] {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return commands.filter(
    (command) => !dirs.some((dir) => existsSync(join(dir, command))),
  );
}

// --- Debian root -----------------------------------------------------------

export interface DebianRootOptions {
  /** Folder of the finished root, rebuilt when absent or incomplete. */
  root: string;
  suite: string;
  /** Passed to debootstrap --include. */
  packages: string[];
  /**
   * Installed afterwards from `<suite>-backports` with apt-get in a chroot,
   * for a newer version than the suite has (for example systemd 254).
   */
  backports?: string[];
  mirror: string;
  /** Paths relative to the root that a usable root must contain. */
  requiredPaths: string[];
}

const ROOT_MARKER = '.macvlan-shim-test-root.json';

/**
 * Returns the apt mirror that this machine already uses for Debian, from
 * deb822 files in /etc/apt/sources.list.d or one-line /etc/apt/sources.list
 * entries. Falls back to deb.debian.org.
 */
export function findDebianMirror(suite: string): string {
  const sourcesDir = '/etc/apt/sources.list.d';
  const files = existsSync(sourcesDir)
    ? readdirSync(sourcesDir).filter((name) => name.endsWith('.sources'))
    : [];

  for (const file of files) {
    const text = readFileSync(join(sourcesDir, file), 'utf8');
    const mirror = mirrorFromDeb822(text, suite);
    if (mirror) return mirror;
  }

  if (existsSync('/etc/apt/sources.list')) {
    const text = readFileSync('/etc/apt/sources.list', 'utf8');
    const mirror = mirrorFromOneLineFormat(text, suite);
    if (mirror) return mirror;
  }

  return 'http://deb.debian.org/debian';
}

function mirrorFromDeb822(text: string, suite: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1].toLowerCase(), match[2].trim());
    }

    const types = (fields.get('types') ?? '').split(/\s+/);
    const suites = (fields.get('suites') ?? '').split(/\s+/);
    const enabled = (fields.get('enabled') ?? 'yes').toLowerCase() !== 'no';
    const uri = (fields.get('uris') ?? '').split(/\s+/)[0];
    if (enabled && types.includes('deb') && suites.includes(suite) && uri) {
      return uri;
    }
  }
  return undefined;
}

function mirrorFromOneLineFormat(
  text: string,
  suite: string,
): string | undefined {
  for (const line of text.split('\n')) {
    // deb [options] URI SUITE COMPONENT...
    const words = line.replace(/\[[^\]]*\]/, '').trim().split(/\s+/);
    if (words[0] === 'deb' && words[2] === suite) return words[1];
  }
  return undefined;
}

/** Returns the first required path missing from a built root, if any. */
function checkRoot(options: DebianRootOptions): string | undefined {
  const markerPath = join(options.root, ROOT_MARKER);
  if (!existsSync(markerPath)) return ROOT_MARKER;

  const marker = readFileSync(markerPath, 'utf8');
  if (marker !== rootMarker(options)) return `${ROOT_MARKER} (other packages)`;

  return options.requiredPaths.find((path) => !existsSync(join(options.root, path)));
}

/**
 * Ensures that a debootstrapped root exists at options.root, building it when
 * it is absent or incomplete (about a minute). The build happens in a
 * sibling folder that is renamed into place only after debootstrap
 * succeeded, so an interrupted build never looks complete.
 */
export async function ensureDebianRoot(
  options: DebianRootOptions,
): Promise<'cached' | 'built'> {
  if (checkRoot(options) === undefined) return 'cached';

  const partial = `${options.root}.partial-${process.pid}`;
  await removeTree(partial);
  const result = await runCommand(
    [
      'debootstrap',
      '--variant=minbase',
      `--include=${options.packages.join(',')}`,
      options.suite,
      partial,
      options.mirror,
    ],
    { timeoutMs: 15 * 60_000 },
  );
  if (result.code !== 0) {
    await removeTree(partial);
    throw new Error(
      `debootstrap of '${options.suite}' from '${options.mirror}' failed ` +
        `(exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
    );
  }
  if (options.backports?.length) {
    await installBackports(partial, options).catch(async (error: unknown) => {
      await removeTree(partial);
      throw error;
    });
  }

  writeFileSync(join(partial, ROOT_MARKER), rootMarker(options));
  await removeTree(options.root);
  renameSync(partial, options.root);

  const missing = checkRoot(options);
  if (missing !== undefined) {
    throw new Error(`built root '${options.root}' lacks '${missing}'`);
  }
  return 'built';
}

/** Returns the marker's content, which records what the root was built from. */
function rootMarker(options: DebianRootOptions): string {
  const marker = {
    suite: options.suite,
    packages: [...options.packages].sort(),
    backports: [...(options.backports ?? [])].sort(),
  };
  return JSON.stringify(marker) + '\n';
}

async function installBackports(
  root: string,
  options: DebianRootOptions,
): Promise<void> {
  const suite = `${options.suite}-backports`;
  writeFileSync(
    join(root, 'etc/apt/sources.list.d/backports.list'),
    `deb ${options.mirror} ${suite} main\n`,
  );
  const apt = ['chroot', root, 'env', 'DEBIAN_FRONTEND=noninteractive'];
  const steps = [
    [...apt, 'apt-get', 'update', '-qq'],
    [...apt, 'apt-get', 'install', '-y', '-qq', '-t', suite,
      ...(options.backports ?? [])],
  ];
  for (const argv of steps) {
    const result = await runCommand(argv, { timeoutMs: 10 * 60_000 });
    if (result.code !== 0) {
      throw new Error(
        `'${argv.slice(4).join(' ')}' in '${root}' failed ` +
          `(exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
      );
    }
  }
}

/**
 * Deletes a folder tree. A failed debootstrap can leave /proc or /sys
 * mounted inside its target, so those are unmounted first and `rm` stays on
 * one file system in any case.
 */
async function removeTree(path: string): Promise<void> {
  if (!existsSync(path)) return;

  for (const mountPoint of mountPointsUnder(path).reverse()) {
    await runCommand(['umount', '--lazy', mountPoint]);
  }
  const result = await runCommand(['rm', '-rf', '--one-file-system', path]);
  if (result.code !== 0) {
    throw new Error(`remove '${path}' failed: ${result.stderr.trim()}`);
  }
}

function mountPointsUnder(path: string): string[] {
  const mountInfo = readFileSync('/proc/self/mountinfo', 'utf8');
  return mountInfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) =>
        String.fromCharCode(parseInt(octal, 8)),
      ),
    )
    .filter((point) => point === path || point.startsWith(`${path}/`))
    .sort();
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// --- Container lifecycle ---------------------------------------------------

export interface BindMount {
  /** Host path. */
  source: string;
  /** Path inside the container; defaults to the host path. */
  target?: string;
}

export interface ContainerOptions {
  root: string;
  /** Machine name; also the container's hostname. */
  machine: string;
  readOnlyBinds: BindMount[];
  bootTimeoutMs?: number;
}

export interface Container {
  machine: string;
  /** The systemd-nspawn process this harness started. */
  nspawnPid: number;
  /** The container's PID 1 (systemd), seen from the host. */
  leaderPid: number;
  /** Last lines of the container console, for failure messages. */
  console(): string;
  /** Resolves with nspawn's exit status once it has exited. */
  exited: Promise<number | null>;
}

const CONSOLE_LINES_KEPT = 200;

/**
 * Boots systemd in a container and waits until it reports running (or
 * degraded). On any failure the container is stopped before the error is
 * thrown.
 *
 * nspawn runs under `setpriv --pdeathsig SIGTERM`, so it shuts the container
 * down even if this test process dies without reaching its teardown.
 */
export async function bootContainer(
  options: ContainerOptions,
): Promise<Container> {
  const binds = options.readOnlyBinds.map(
    ({ source, target }) => `--bind-ro=${source}:${target ?? source}`,
  );
  const argv = [
    '--pdeathsig',
    'SIGTERM',
    'systemd-nspawn',
    '--boot',
    // Both are required where the host's PID 1 is not systemd.
    '--register=no',
    '--keep-unit',
    '--private-network',
    '--volatile=overlay',
    `--machine=${options.machine}`,
    '--console=read-only',
    ...binds,
    '-D',
    options.root,
  ];
  const child = spawn('setpriv', argv, {
    env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    throw new Error('start systemd-nspawn failed: no process id');
  }

  const lines: string[] = [];
  const keep = (text: string) => {
    lines.push(...text.split('\n'));
    lines.splice(0, Math.max(0, lines.length - CONSOLE_LINES_KEPT));
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );

  const container: Container = {
    machine: options.machine,
    nspawnPid: child.pid,
    leaderPid: 0,
    console: () => lines.join('\n'),
    exited,
  };
  try {
    container.leaderPid = await waitForLeader(container, 15_000);
    await waitForSystemd(container, options.bootTimeoutMs ?? 60_000);
    return container;
  } catch (error) {
    await stopContainer(container);
    throw error;
  }
}

/** Waits until nspawn's child has become systemd, and returns its PID. */
async function waitForLeader(
  container: Container,
  timeoutMs: number,
): Promise<number> {
  const { nspawnPid } = container;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void container.exited.then((code) => (exitCode = code));

  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `systemd-nspawn exited with ${exitCode} while booting:\n` +
          tail(container.console(), 30),
      );
    }
    const leader = readChildPid(nspawnPid);
    if (leader !== undefined && readComm(leader) === 'systemd') return leader;
    await sleep(50);
  }
  throw new Error(
    `container '${container.machine}' did not start systemd within ` +
      `${timeoutMs} ms:\n${tail(container.console(), 30)}`,
  );
}

function readChildPid(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    const first = text.trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Waits until systemd in the container has finished booting. Right after
 * PID 1 starts, systemctl cannot connect yet, so this polls instead of
 * using `is-system-running --wait`.
 */
async function waitForSystemd(
  container: Container,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: CommandResult | undefined;

  while (Date.now() < deadline) {
    last = await runInContainer(
      container,
      ['systemctl', 'is-system-running'],
      { timeoutMs: 5_000 },
    );
    const state = last.stdout.trim();
    if (state === 'running' || state === 'degraded') return;
    await sleep(100);
  }
  throw new Error(
    `systemd in '${container.machine}' did not finish booting within ` +
      `${timeoutMs} ms (last state '${last?.stdout.trim()}', ` +
      `${last?.stderr.trim()}):\n${tail(container.console(), 30)}`,
  );
}

/**
 * Stops the container: SIGTERM to nspawn (which powers the container off),
 * then SIGKILL to nspawn and to the container's PID 1 when that has not
 * finished within graceMs. Safe to call more than once.
 */
export async function stopContainer(
  container: Container,
  graceMs = 20_000,
): Promise<void> {
  const { nspawnPid, leaderPid } = container;
  if (!isAlive(nspawnPid)) return;

  signal(nspawnPid, 'SIGTERM');
  if (await exitsWithin(container, graceMs)) return;

  signal(nspawnPid, 'SIGKILL');
  // Killing a PID namespace's init kills every process in that namespace.
  if (leaderPid > 0 && readComm(leaderPid) === 'systemd') {
    signal(leaderPid, 'SIGKILL');
  }
  await exitsWithin(container, 5_000);
}

function exitsWithin(
  container: Container,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    void container.exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  // 0 and -1 would signal this test's own group or every process.
  if (pid === 0 || pid === -1) {
    throw new RangeError(`signal to PID ${pid} rejected: it is not one process`);
  }
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- Commands inside the container -----------------------------------------

/**
 * The whole environment of commands run inside. `env -i` sets it after
 * nsenter, because tap adds NODE_OPTIONS (its own loaders, which do not
 * exist inside) to every process that the test spawns.
 */
const CONTAINER_ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'LC_ALL=C',
  'SYSTEMD_COLORS=0',
  'SYSTEMD_PAGER=',
  'TERM=dumb',
];

/** Runs a command in all of the container's namespaces, as its root. */
export function runInContainer(
  container: Container,
  argv: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const pid = String(container.leaderPid);
  return runCommand(
    ['nsenter', '-t', pid, '-a', '--', 'env', '-i', ...CONTAINER_ENV, ...argv],
    options,
  );
}

/** Like runInContainer, but throws unless the command exits 0. */
export async function mustRunInContainer(
  container: Container,
  argv: string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await runInContainer(container, argv, options);
  if (result.code !== 0) {
    throw new Error(
      `'${argv.join(' ')}' in '${container.machine}' failed ` +
        `(exit ${result.code}):\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * Writes a root-owned file inside the container, creating its folders. The
 * content goes to a temporary file that is renamed over the target, so a
 * reader never sees half a file.
 */
export async function writeContainerFile(
  container: Container,
  path: string,
  content: string,
  mode = '0644',
): Promise<void> {
  // Node's stdin pipe is a socket, which `install /dev/stdin` cannot open,
  // so cat reads file descriptor 0 instead.
  const script = [
    'set -e',
    'mkdir -p "$(dirname "$1")"',
    'cat > "$1.tmp"',
    'chown root:root "$1.tmp"',
    'chmod "$2" "$1.tmp"',
    'mv -f "$1.tmp" "$1"',
  ].join('\n');
  await mustRunInContainer(container, ['sh', '-c', script, 'sh', path, mode], {
    input: content,
  });
}

/** Reads unit properties with `systemctl show`, keyed by property name. */
export async function showUnit(
  container: Container,
  unit: string,
  properties: string[],
): Promise<Record<string, string>> {
  const argv = ['systemctl', 'show', unit];
  for (const property of properties) argv.push(`--property=${property}`);
  const stdout = await mustRunInContainer(container, argv);

  const values: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

/** One journal entry as `journalctl -o json` prints it. */
export interface JournalEntry {
  __CURSOR: string;
  PRIORITY?: string;
  MESSAGE?: string | number[];
  _PID?: string;
  SYSLOG_IDENTIFIER?: string;
  [field: string]: unknown;
}

const PRIORITIES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

export interface JournalQuery {
  /** Only entries of this syslog priority or more severe, as with -p. */
  priority?: (typeof PRIORITIES)[number];
  /** Only entries after this one. */
  afterCursor?: string;
}

/** Reads a unit's journal entries, oldest first. */
export async function readJournal(
  container: Container,
  unit: string,
  query: JournalQuery = {},
): Promise<JournalEntry[]> {
  const argv = ['journalctl', '--no-pager', '-o', 'json', '-u', unit];
  if (query.afterCursor) {
    argv.push(`--after-cursor=${query.afterCursor}`);
  } else if (query.priority) {
    // NOTE: journalctl 252 returns nothing for -p together with
    // --after-cursor, so with a cursor the priority is filtered below.
    argv.push('-p', query.priority);
  }
  const stdout = await mustRunInContainer(container, argv);

  const entries = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JournalEntry);
  if (!query.priority) return entries;

  const maxPriority = PRIORITIES.indexOf(query.priority);
  return entries.filter((entry) => Number(entry.PRIORITY) <= maxPriority);
}

/** Returns an entry's MESSAGE as text. journald stores non-UTF-8 as bytes. */
export function messageText(entry: JournalEntry): string {
  const message = entry.MESSAGE;
  if (Array.isArray(message)) return Buffer.from(message).toString('utf8');
  return message ?? '';
}
