import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import t from 'tap';

import { MAX_CONFIG_BYTES, loadConfigFile } from '../../../src/config';
import type { ParseResult } from '../../../src/config';

const VALID = 'shims:\n  - name: mvshim0\n    parent: kvmbr0\n    routes: [10.1.0.0/16]\n';
const isRoot = process.geteuid?.() === 0;

function codes(result: ParseResult): string[] {
  return result.issues.map((issue) => issue.code);
}

/** Creates a private directory (mode 0700) for one test and removes it after. */
async function privateDirectory(t: tap.Test): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'macvlan-shim-config-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function writeConfig(directory: string, text: string, mode = 0o644): Promise<string> {
  const path = join(directory, 'config.yaml');
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

t.test('valid file gives a config', async (t) => {
  const path = await writeConfig(await privateDirectory(t), VALID);
  const result = await loadConfigFile(path, { enforcePermissions: true });
  t.same(result.issues, []);
  t.equal(result.config?.shims[0].name, 'mvshim0');
});

t.test('missing file names errno, path', async (t) => {
  const path = join(await privateDirectory(t), 'absent.yaml');
  const result = await loadConfigFile(path);
  t.same(codes(result), ['file-unreadable']);
  t.equal(result.issues[0].line, 0);
  t.equal(result.issues[0].file, path);
  t.match(result.issues[0].message, 'ENOENT');
  t.match(result.issues[0].message, path);
  t.equal(result.config, undefined);
});

t.test('directory is rejected', async (t) => {
  const directory = await privateDirectory(t);
  const result = await loadConfigFile(directory, { enforcePermissions: false });
  t.same(codes(result), ['file-unreadable']);
});

t.test('FIFO rejected without blocking', async (t) => {
  const path = join(await privateDirectory(t), 'fifo.yaml');
  execFileSync('mkfifo', [path]);
  const result = await loadConfigFile(path, { enforcePermissions: false });
  t.same(codes(result), ['file-unreadable']);
});

t.test('group- or other-writable file', async (t) => {
  const directory = await privateDirectory(t);
  for (const mode of [0o664, 0o646, 0o666]) {
    const path = await writeConfig(directory, VALID, mode);
    const result = await loadConfigFile(path, { enforcePermissions: true });
    t.same(codes(result), ['file-permissions'], mode.toString(8));
    t.match(result.issues[0].message, `chmod go-w '${path}'`, 'the message gives the fix');
    t.equal(result.config, undefined);
  }
});

t.test('permission checks can be turned off', async (t) => {
  const path = await writeConfig(await privateDirectory(t), VALID, 0o666);
  const result = await loadConfigFile(path, { enforcePermissions: false });
  t.same(result.issues, []);
  t.ok(result.config);
});

t.test('root enforces permissions by default', { skip: !isRoot && 'needs root' }, async (t) => {
  const path = await writeConfig(await privateDirectory(t), VALID, 0o666);
  t.same(codes(await loadConfigFile(path)), ['file-permissions']);
});

t.test('file owned by another user', { skip: !isRoot && 'needs root to chown' }, async (t) => {
  const path = await writeConfig(await privateDirectory(t), VALID);
  await chown(path, 1000, 1000);
  const result = await loadConfigFile(path, { enforcePermissions: true });
  t.same(codes(result), ['file-permissions']);
  t.match(result.issues[0].message, `chown root:root '${path}'`, 'the message gives the fix');
});

t.test('directory writable by others', async (t) => {
  const parent = await privateDirectory(t);
  const directory = join(parent, 'open');
  await mkdir(directory);
  await chmod(directory, 0o777);
  const path = await writeConfig(directory, VALID);
  const result = await loadConfigFile(path, { enforcePermissions: true });
  t.same(codes(result), ['file-permissions']);
  t.match(result.issues[0].message, `chmod go-w '${directory}'`);

  await chmod(directory, 0o1777);
  t.same(codes(await loadConfigFile(path, { enforcePermissions: true })), [], 'a sticky directory is safe');
});

t.test('permission and config errors together', async (t) => {
  const path = await writeConfig(await privateDirectory(t), 'shims: []\n', 0o666);
  const result = await loadConfigFile(path, { enforcePermissions: true });
  t.same(codes(result), ['file-permissions', 'not-a-list']);
});

t.test('file above the size limit', async (t) => {
  const path = await writeConfig(await privateDirectory(t), `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
  t.same(codes(await loadConfigFile(path, { enforcePermissions: false })), ['too-large']);
});

t.test('file not in UTF-8', async (t) => {
  const path = join(await privateDirectory(t), 'latin1.yaml');
  await writeFile(path, Buffer.from('shims:\n  - name: caf\xe9\n', 'latin1'));
  t.same(codes(await loadConfigFile(path, { enforcePermissions: false })), ['yaml-syntax']);
});

t.test('unreadable file names the errno', { skip: isRoot && 'root can read any file' }, async (t) => {
  const path = await writeConfig(await privateDirectory(t), VALID, 0o000);
  const result = await loadConfigFile(path, { enforcePermissions: false });
  t.same(codes(result), ['file-unreadable']);
  t.match(result.issues[0].message, 'EACCES');
});
