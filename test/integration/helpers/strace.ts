import type { Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** rtnetlink message types (linux/rtnetlink.h) that read the kernel's state. */
const READ_TYPES = new Map([
  [18, 'RTM_GETLINK'],
  [22, 'RTM_GETADDR'],
  [26, 'RTM_GETROUTE'],
]);

/** rtnetlink message types that change links, addresses or routes. */
const WRITE_TYPES = new Map([
  [16, 'RTM_NEWLINK'],
  [17, 'RTM_DELLINK'],
  [19, 'RTM_SETLINK'],
  [20, 'RTM_NEWADDR'],
  [21, 'RTM_DELADDR'],
  [24, 'RTM_NEWROUTE'],
  [25, 'RTM_DELROUTE'],
]);

/** The rtnetlink requests one process sent while it was traced. */
export interface NetlinkRequests {
  /** Link dumps (RTM_GETLINK with NLM_F_DUMP); the daemon starts each full pass with one. */
  linkDumps: number;
  /** Requests that change kernel state, by message type name. */
  writes: string[];
  /** Every request type seen, for failure messages. */
  all: string[];
}

export function hasStrace(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Traces the sendmsg calls of a running process for `durationMs` with
 * strace and decodes the rtnetlink request in each. strace cannot name the
 * message types here because the `netlink` package sends the header and the
 * payload as two iovecs, so the numeric type is read from the header.
 */
export async function traceNetlinkRequests(pid: number, durationMs: number): Promise<NetlinkRequests> {
  const directory = mkdtempSync(join(tmpdir(), 'msh-strace-'));
  const output = join(directory, 'trace.txt');
  try {
    const tracer = spawn('strace', ['-f', '-qq', '-e', 'trace=sendmsg', '-o', output, '-p', String(pid)], {
      stdio: 'ignore',
    });
    const exited = once(tracer, 'exit');
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    tracer.kill('SIGINT');
    await exited;
    return parseTrace(readFileSync(output, 'utf8'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function parseTrace(text: string): NetlinkRequests {
  const requests: NetlinkRequests = { linkDumps: 0, writes: [], all: [] };
  for (const line of text.split('\n')) {
    const header = /sendmsg\(.*?nlmsg_type=(0x[0-9a-f]+|\d+|RTM_[A-Z]+)[^,]*, nlmsg_flags=([^,]*),/.exec(line);
    if (!header) continue;
    const name = typeName(header[1]);
    requests.all.push(name);
    if (name === 'RTM_GETLINK' && /NLM_F_DUMP|0x300/.test(header[2])) requests.linkDumps += 1;
    if ([...WRITE_TYPES.values()].includes(name)) requests.writes.push(name);
  }
  return requests;
}

function typeName(text: string): string {
  if (text.startsWith('RTM_')) return text;
  const type = Number(text);
  return READ_TYPES.get(type) ?? WRITE_TYPES.get(type) ?? `type ${type}`;
}

/**
 * Returns whether strace can run. Without it the calling check is skipped
 * with the reason, except under CI=true, where a skip would hide a missing
 * package, so it fails instead.
 */
export function requireStrace(t: Test): boolean {
  if (hasStrace()) return true;
  const reason = 'strace is missing (Debian package strace); it counts the netlink requests the daemon sends';
  if (process.env.CI === 'true') {
    t.fail(`${reason}; CI=true forbids skipping`);
  } else {
    t.pass('count the netlink requests of the daemon', { skip: reason });
  }
  return false;
}
