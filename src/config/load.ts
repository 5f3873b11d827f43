import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

import { IssueCollector, WHOLE_FILE, sortIssues } from './issues';
import { MAX_CONFIG_BYTES, parseConfig } from './parse';
import { checkFileSafety, type Ownership } from './permissions';
import type { ParseResult } from './types';

export interface LoadOptions {
  /**
   * Reject a config that users other than root or this process's user could
   * change. Defaults to true: a daemon running as a dynamic user with
   * CAP_NET_ADMIN is as privileged as root, and `check` must accept exactly
   * what the daemon accepts.
   */
  enforcePermissions?: boolean;
}

const ERRNO_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'the file does not exist; create it or pass the right path',
  EACCES: 'permission denied; run as root or make the file readable',
  EISDIR: 'it is a directory; pass the config file inside it',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'the path has too many levels of symbolic links',
};

const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Reads and checks a config file. Never rejects: a file that cannot be read
 * or is unsafe to trust gives an error issue, and `config` is present only
 * when there is no error.
 */
export async function loadConfigFile(
  path: string,
  options: LoadOptions = {},
): Promise<ParseResult> {
  const collector = new IssueCollector(path);
  const text = await readConfigText(path, collector, ownershipFor(options));
  if (text === undefined) {
    return { issues: collector.issues };
  }
  const parsed = parseConfig(text, path);
  const issues = sortIssues([...collector.issues, ...parsed.issues]);
  return collector.hasErrors() || parsed.config === undefined
    ? { issues }
    : { config: parsed.config, issues };
}

function ownershipFor(options: LoadOptions): Ownership | undefined {
  const euid = process.geteuid?.() ?? -1;
  const enforce = options.enforcePermissions ?? true;
  return enforce ? { trustedUids: [...new Set([0, euid])] } : undefined;
}

async function readConfigText(
  path: string,
  collector: IssueCollector,
  ownership: Ownership | undefined,
): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK keeps the open from waiting forever on a FIFO.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    reportUnreadable(collector, path, error);
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const hint = stats.isDirectory()
        ? ERRNO_HINTS.EISDIR
        : 'it is not a regular file';
      collector.error(
        'file-unreadable',
        WHOLE_FILE,
        `read config '${path}' failed: ${hint}`,
      );
      return undefined;
    }
    if (ownership !== undefined) {
      await checkFileSafety(collector, path, stats, ownership);
    }
    return await readText(handle, path, collector);
  } catch (error) {
    reportUnreadable(collector, path, error);
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readText(
  handle: FileHandle,
  path: string,
  collector: IssueCollector,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Reads until EOF instead of trusting st_size, which is 0 for some files
  // such as those under /proc.
  while (total <= MAX_CONFIG_BYTES) {
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) {
      break;
    }
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  if (total > MAX_CONFIG_BYTES) {
    collector.error(
      'too-large',
      WHOLE_FILE,
      `'${path}' is larger than the ${MAX_CONFIG_BYTES} bytes a config may have; check that this is the right file`,
    );
    return undefined;
  }
  return decodeUtf8(Buffer.concat(chunks), path, collector);
}

function decodeUtf8(
  bytes: Buffer,
  path: string,
  collector: IssueCollector,
): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    collector.error(
      'yaml-syntax',
      WHOLE_FILE,
      `'${path}' is not valid UTF-8 text; save it as UTF-8`,
    );
    return undefined;
  }
}

function reportUnreadable(
  collector: IssueCollector,
  path: string,
  error: unknown,
): void {
  const errno = errnoName(error);
  const hint = ERRNO_HINTS[errno];
  const detail = hint === undefined ? errno : `${errno} (${hint})`;
  collector.error(
    'file-unreadable',
    WHOLE_FILE,
    `read config '${path}' failed: ${detail}`,
  );
}

function errnoName(error: unknown): string {
  const code =
    error instanceof Error && 'code' in error ? error.code : undefined;
  if (typeof code === 'string') {
    return code;
  }
  return error instanceof Error ? error.message : String(error);
}
