'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');

/** Processes this run started and has not yet seen exit, by PID. */
const liveChildren = new Map();

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`). */
const CLOCK_TICKS = Number(
  spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() ||
    100,
);

/**
 * Runs a command to completion and returns { code, stdout, stderr }. Throws
 * when it exits non-zero, unless allowFailure is set.
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';

    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { code: code ?? signal, stdout, stderr };
      if (code === 0 || options.allowFailure) {
        resolve(result);
        return;
      }
      const line = [command, ...args].join(' ');
      reject(new Error(`'${line}' failed (${code ?? signal}): ${stderr}`));
    });
    if (child.stdin) {
      // A command that exits without reading its input closes the pipe first.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Runs a command synchronously, for cleanup on exit; failures are in the returned result. */
function runSync(command, args) {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
}

/**
 * Starts a long-running process and tracks it until it exits, so that
 * killTracked() can end it if the run is interrupted. stdio follows
 * child_process.spawn. Returns the ChildProcess with an `exited` promise that
 * resolves to { code, signal, at } (at = process.hrtime.bigint() on exit).
 */
function startTracked(command, args, options = {}) {
  const child = spawn(command, args, options);
  liveChildren.set(child.pid, child);

  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      const at = process.hrtime.bigint();
      liveChildren.delete(child.pid);
      resolve({ code, signal, at });
    });
    child.on('error', (error) => {
      liveChildren.delete(child.pid);
      resolve({ code: null, signal: null, at: 0n, error });
    });
  });
  return child;
}

/**
 * Sends SIGTERM to a tracked process and waits for it to exit; sends SIGKILL
 * if it is still running after timeoutMs. Returns the exit record.
 */
async function stopTracked(child, timeoutMs = 5000) {
  if (!liveChildren.has(child.pid)) return child.exited;

  child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      if (liveChildren.has(child.pid)) child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
  });
  const result = await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  return result ?? child.exited;
}

/** Sends SIGKILL to every tracked process still running, by its PID. */
function killTracked() {
  for (const pid of liveChildren.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone between the exit and our bookkeeping.
    }
  }
}

/**
 * Reads CPU time of the whole process (all threads) from /proc/PID/stat, in
 * milliseconds at the resolution of CLK_TCK (10 ms at 100 Hz).
 */
function readCpuMs(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in field 2 may contain spaces: split after its ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { userMs: (utime * 1000) / CLOCK_TICKS, systemMs: (stime * 1000) / CLOCK_TICKS };
}

function parseStatus(text) {
  const fields = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match) fields[match[1]] = Number(match[2]);
  }
  return fields;
}

/**
 * Reads memory (kB) and context switches of a process. Switches are summed
 * over every thread in /proc/PID/task, because /proc/PID/status counts only
 * the main thread; mainThread* keep the main thread's own counts.
 */
function readProcStatus(pid) {
  const main = parseStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  let voluntary = 0;
  let nonvoluntary = 0;
  let threads = 0;

  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let text;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // The thread exited while we listed the folder.
    }
    const task = parseStatus(text);
    voluntary += task.voluntary_ctxt_switches ?? 0;
    nonvoluntary += task.nonvoluntary_ctxt_switches ?? 0;
    threads += 1;
  }

  return {
    rssKb: main.VmRSS,
    hwmKb: main.VmHWM,
    voluntary,
    nonvoluntary,
    threads,
    mainThreadVoluntary: main.voluntary_ctxt_switches,
    mainThreadNonvoluntary: main.nonvoluntary_ctxt_switches,
  };
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  run,
  runSync,
  startTracked,
  stopTracked,
  killTracked,
  readCpuMs,
  readProcStatus,
  delay,
  CLOCK_TICKS,
};
