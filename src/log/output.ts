import { fstatSync } from 'node:fs';

/** The destination of log lines, which decides how they look. */
export type LogFormat = 'journal' | 'terminal' | 'json';

/**
 * Picks the format for stdout. systemd sets JOURNAL_STREAM to the device and
 * inode of the stream it connected. When those match stdout, lines go to the
 * journal and get a syslog priority prefix instead of JSON.
 */
export function detectFormat(env: NodeJS.ProcessEnv = process.env, fd = 1): LogFormat {
  if (isJournal(env.JOURNAL_STREAM, fd)) {
    return 'journal';
  }
  return process.stdout.isTTY ? 'terminal' : 'json';
}

function isJournal(journalStream: string | undefined, fd: number): boolean {
  if (!journalStream) {
    return false;
  }
  const [device, inode] = journalStream.split(':');
  try {
    const stat = fstatSync(fd);
    return String(stat.dev) === device && String(stat.ino) === inode;
  } catch {
    return false;
  }
}
