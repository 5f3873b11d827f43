import { spawnSync } from 'node:child_process';
import { CLI } from './daemon';

export interface CliResult {
  /** Exit status, or null when the command was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `macvlan-shim ARGS...` (the built dist/cli.js) inside a namespace. */
export function runCli(namespace: string, args: string[]): CliResult {
  const result = spawnSync('ip', ['netns', 'exec', namespace, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
