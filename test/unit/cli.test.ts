import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const directory = mkdtempSync(join(tmpdir(), 'msh-cli-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}

t.test('help and version exit 0', async (t) => {
  const help = cli('--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: macvlan-shim COMMAND/);
  const version = cli('--version');
  t.equal(version.code, 0);
  t.match(version.stdout, /^macvlan-shim \d+\.\d+\.\d+/);
});

t.test('usage errors exit 2 with a hint', async (t) => {
  for (const args of [[], ['frob'], ['check', '--bogus'], ['check', 'extra'], ['check', '--config']]) {
    const result = cli(...args);
    t.equal(result.code, 2, `${args.join(' ') || '(none)'} exits 2`);
    t.match(result.stderr, /^macvlan-shim: /, `${args.join(' ') || '(none)'} explains`);
  }
});

t.test('check exits 0 on a valid file', async (t) => {
  const path = configFile('good.yaml', 'shims:\n  - name: msh-cli0\n    parent: msh-none0\n    addresses: [192.168.124.190/32]\n');
  const result = cli('check', '--config', path);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /msh-cli0/);
});

t.test('check exits 1 with positions on an invalid file', async (t) => {
  const path = configFile('bad.yaml', 'shims:\n  - name: msh-cli0\n    parent: eth0\n    routes: [192.168.178.201/29]\n');
  const result = cli('check', '--config', path);
  t.equal(result.code, 1);
  t.match(result.stderr, /bad\.yaml:4:\d+: error: .*192\.168\.178\.200\/29/);
});

t.test('check exits 1 on a missing file', async (t) => {
  const result = cli('check', '--config', join(directory, 'absent.yaml'));
  t.equal(result.code, 1);
  t.match(result.stderr, /absent\.yaml/);
});
