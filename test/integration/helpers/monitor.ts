import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ipIn } from './netns';
import { waitFor } from './sh';

/**
 * A sentinel address on `lo`, added and removed to learn that the monitor
 * listens. Lines about it are left out of `lines`.
 */
const SENTINEL = '127.255.255.254/32';
const SENTINEL_TEXT = '127.255.255.254';

/**
 * `ip -o monitor link address route` in one namespace: every rtnetlink
 * notification as one line, in the order the kernel sent them.
 */
export class IpMonitor {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private sentinelSeen = false;

  private constructor(namespace: string) {
    this.child = spawn('ip', ['-n', namespace, '-o', 'monitor', 'link', 'address', 'route'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.includes(SENTINEL_TEXT)) this.sentinelSeen = true;
      else this.lines.push(line);
    });
  }

  /** Starts the monitor and returns once it has seen a change made after it started. */
  static async start(namespace: string): Promise<IpMonitor> {
    const monitor = new IpMonitor(namespace);
    await waitFor('ip monitor to listen', () => {
      ipIn(namespace, ['address', 'add', SENTINEL, 'dev', 'lo']);
      ipIn(namespace, ['address', 'delete', SENTINEL, 'dev', 'lo']);
      return monitor.sentinelSeen;
    });
    monitor.lines.length = 0;
    return monitor;
  }

  /** Index of the first line matching `pattern`, or -1. */
  indexOf(pattern: RegExp): number {
    return this.lines.findIndex((line) => pattern.test(line));
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
