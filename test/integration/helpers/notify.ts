import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './sh';

/**
 * A real unix datagram socket standing in for systemd's notify socket.
 * Node cannot bind one, so a small python3 process does and reports each
 * datagram on its stdout.
 */
export class NotifyListener {
  readonly messages: string[] = [];
  readonly path: string;
  private readonly directory: string;
  private readonly child: ChildProcess;

  private constructor() {
    this.directory = mkdtempSync(join(tmpdir(), 'msh-notify-'));
    this.path = join(this.directory, 'notify.sock');
    this.child = spawn('python3', [join(__dirname, 'notify-listener.py'), this.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.messages.push(JSON.parse(line) as string);
    });
  }

  static async start(): Promise<NotifyListener> {
    const listener = new NotifyListener();
    await waitFor('notify listener', () => listener.messages.includes('LISTENING'));
    return listener;
  }

  /** Returns every variable assignment received so far, in order, one per entry. */
  assignments(): string[] {
    return this.messages.flatMap((message) => message.split('\n')).filter((line) => line.includes('='));
  }

  count(assignment: string): number {
    return this.assignments().filter((line) => line === assignment).length;
  }

  lastStatus(): string | undefined {
    const statuses = this.assignments().filter((line) => line.startsWith('STATUS='));
    return statuses.at(-1)?.slice('STATUS='.length);
  }

  async waitFor(assignment: string, count = 1, timeoutMs = 10_000): Promise<void> {
    await waitFor(`${count}× ${assignment} on the notify socket`, () => this.count(assignment) >= count, timeoutMs);
  }

  stop(): void {
    this.child.kill('SIGKILL');
    rmSync(this.directory, { recursive: true, force: true });
  }
}
