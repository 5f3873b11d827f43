import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { IssueCollector, WHOLE_FILE } from './issues';

/*
 * The config decides which interfaces, addresses and routes a privileged
 * daemon creates, so a user who can change it can redirect the host's
 * traffic. These checks reject a config file that someone other than root
 * could write or replace, in the way OpenSSH's StrictModes does.
 */

/** Users allowed to own the config file and the directories above it. */
export interface Ownership {
  trustedUids: readonly number[];
}

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/**
 * Reports the file if others could write it, and every directory above it
 * (along the path as given and along its resolved path) if others could
 * replace entries in it. `stats` must describe the opened file.
 */
export async function checkFileSafety(
  collector: IssueCollector,
  path: string,
  stats: Stats,
  ownership: Ownership,
): Promise<void> {
  checkOwner(collector, path, stats, ownership, 'file');
  if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0) {
    collector.error(
      'file-permissions',
      WHOLE_FILE,
      `config '${path}' is writable by ${writers(stats.mode)} (mode ${modeText(stats.mode)}), but it decides which interfaces a privileged daemon creates; run: chmod go-w '${path}'`,
    );
  }
  for (const directory of await directoriesAbove(path)) {
    const directoryStats = await stat(directory).catch(() => undefined);
    if (directoryStats !== undefined) {
      checkDirectory(collector, path, directory, directoryStats, ownership);
    }
  }
}

function checkDirectory(
  collector: IssueCollector,
  path: string,
  directory: string,
  stats: Stats,
  ownership: Ownership,
): void {
  checkOwner(collector, directory, stats, ownership, 'directory');
  // In a sticky directory such as /tmp only an entry's owner may rename or
  // delete it, so other writers cannot replace a root-owned config.
  const replaceable = (stats.mode & STICKY) === 0;
  if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0 && replaceable) {
    collector.error(
      'file-permissions',
      WHOLE_FILE,
      `directory '${directory}' is writable by ${writers(stats.mode)} (mode ${modeText(stats.mode)}), so another user could replace config '${path}'; run: chmod go-w '${directory}'`,
    );
  }
}

function checkOwner(
  collector: IssueCollector,
  path: string,
  stats: Stats,
  ownership: Ownership,
  kind: 'file' | 'directory',
): void {
  if (ownership.trustedUids.includes(stats.uid)) {
    return;
  }
  const subject =
    kind === 'file'
      ? `config '${path}'`
      : `directory '${path}' above the config`;
  collector.error(
    'file-permissions',
    WHOLE_FILE,
    `${subject} is owned by uid ${stats.uid}, not root, so that user can change what a privileged daemon creates; run: chown root:root '${path}'`,
  );
}

/** Lists the directories above the path, nearest first, without repeats. */
async function directoriesAbove(path: string): Promise<string[]> {
  const resolved = await realpath(path).catch(() => resolve(path));
  const directories = new Set<string>();
  for (const start of [resolve(path), resolved]) {
    let directory = dirname(start);
    while (!directories.has(directory)) {
      directories.add(directory);
      directory = dirname(directory);
    }
  }
  return [...directories];
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  if (group && others) {
    return 'group and others';
  }
  return group ? 'its group' : 'others';
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
