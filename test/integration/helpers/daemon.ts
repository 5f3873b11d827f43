import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './sh';

export const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface LogLine {
  level: number;
  msg: string;
  shim?: string;
  parent?: string;
  [key: string]: unknown;
}

/** The built daemon running as a child process inside a test namespace. */
export class DaemonProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  private exitCode: number | null | undefined;

  constructor(namespace: string, configPath: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, CLI, 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.logs.push(parseLine(line)));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.child.on('exit', (code) => (this.exitCode = code));
  }

  logged(message: string | RegExp): LogLine[] {
    return this.logs.filter((line) => (typeof message === 'string' ? line.msg === message : message.test(line.msg)));
  }

  async waitForLog(message: string | RegExp, count = 1, timeoutMs = 10_000): Promise<void> {
    await waitFor(`log '${String(message)}' ×${count}`, () => this.logged(message).length >= count, timeoutMs);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Sends SIGTERM (unless already exited) and resolves with the exit code. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    return this.exitCode ?? null;
  }
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { level: 0, msg: line };
  }
}
