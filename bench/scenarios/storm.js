'use strict';

const { recoveryShim, PARENT } = require('../lib/shims');
const { startTracked, readCpuMs, readProcStatus, delay } = require('../lib/proc');
const { readDaemonLog } = require('../lib/daemon');
const { nsToMs } = require('../lib/stats');
const { startSide, stopSide, tail } = require('./sides');

/** Down/up pairs written to `ip -batch` per chunk. */
const PAIRS_PER_CHUNK = 500;
/** Interval of the memory and CPU samples during and after the storm. */
const SAMPLE_INTERVAL_MS = 10;
/** The daemon counts as settled once its CPU time stays flat this long. */
const SETTLED_AFTER_MS = 500;
const SETTLE_TIMEOUT_MS = 60_000;

/** CPU (ms) and memory (kB) of a process, or undefined once it has exited. */
function sampleUsage(pid) {
  try {
    const cpu = readCpuMs(pid);
    const status = readProcStatus(pid);
    return { at: process.hrtime.bigint(), cpuMs: cpu.userMs + cpu.systemMs, rssKb: status.rssKb, hwmKb: status.hwmKb };
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
    throw error;
  }
}

/**
 * Writes "link set PARENT down / up" pairs into one `ip -batch -` process as
 * fast as it reads them, for durationMs, ending on "up". Returns the number
 * of pairs and the driver's time when ip exited.
 */
async function toggleParent(namespace, durationMs) {
  const ip = startTracked('ip', ['-n', namespace, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const chunk = `link set ${PARENT} down\nlink set ${PARENT} up\n`.repeat(PAIRS_PER_CHUNK);
  const endAt = Date.now() + durationMs;
  let pairs = 0;

  while (Date.now() < endAt) {
    pairs += PAIRS_PER_CHUNK;
    if (!ip.stdin.write(chunk)) {
      await new Promise((resolve) => ip.stdin.once('drain', resolve));
    }
  }
  ip.stdin.end();
  const exit = await ip.exited;
  if (exit.code !== 0) throw new Error(`ip -batch storm in ${namespace} exited with ${exit.code ?? exit.signal}`);
  return { pairs, ipExitAt: exit.at };
}

/**
 * Samples the daemon's CPU and memory every SAMPLE_INTERVAL_MS until stop()
 * is called or the daemon exits; stop() returns the samples.
 */
function sampleDuring(pid) {
  const samples = [];
  const timer = setInterval(() => {
    const sample = sampleUsage(pid);
    if (sample) samples.push(sample);
    else clearInterval(timer);
  }, SAMPLE_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    return samples;
  };
}

/**
 * Waits until the daemon's CPU time stops growing; returns when it last grew,
 * or undefined if the daemon exited first.
 */
async function waitForCpuSettled(pid) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = sampleUsage(pid);
  let lastChangeAt = process.hrtime.bigint();
  while (nsToMs(process.hrtime.bigint() - lastChangeAt) < SETTLED_AFTER_MS) {
    if (Date.now() > deadline) throw new Error('daemon CPU time did not settle within 60 s after the storm');
    await delay(SAMPLE_INTERVAL_MS);
    const now = sampleUsage(pid);
    if (!now || !last) return undefined;
    if (now.cpuMs !== last.cpuMs) lastChangeAt = now.at;
    last = now;
  }
  return lastChangeAt;
}

/**
 * Tracks, from the listener's records, the last parent event and the time the
 * shim last became fully correct (link up with carrier, addresses, routes,
 * parent promiscuous).
 */
function trackCorrectness(watcher, shim) {
  const tracked = { lastParentAt: undefined, correctSince: undefined };
  const stop = watcher.onRecord((record) => {
    if (record.type === 'NEWLINK' && record.name === PARENT && !record.dump) tracked.lastParentAt = record.t;
    const correct = isCorrect(watcher.state, shim);
    if (correct && tracked.correctSince === undefined) tracked.correctSince = record.t;
    if (!correct) tracked.correctSince = undefined;
  });
  return { tracked, stop };
}

function isCorrect(state, shim) {
  const parent = state.linkNamed(PARENT);
  return Boolean(parent && parent.promiscuity > 0 && state.shimMilestones(shim).full);
}

/**
 * Measurement 5: the parent toggled down and up as fast as `ip -batch` can
 * for durationMs, with macvlan-shim keeping one shim on it. The listener
 * joins only the link and IPv4 groups so that it competes less for the CPU.
 * A daemon that exits during the storm is reported with its exit and log.
 */
async function runStorm(ctx, { durationMs }) {
  const shim = recoveryShim();
  const groups = ['LINK', 'IPV4_IFADDR', 'IPV4_ROUTE'];
  const side = await startSide(ctx, {
    kind: 'daemon',
    suffix: 'storm',
    shims: [shim],
    parent: PARENT,
    daemonOptions: ctx.daemonOptions('storm'),
    groups,
  });
  const pid = side.process.pid;
  let daemonExit;
  side.process.exited.then((exit) => (daemonExit = exit));
  try {
    await side.watcher.waitForQuiet(1000);
    const before = { ...sampleUsage(pid), ...readProcStatus(pid) };
    const logBefore = readDaemonLog(side.logFile).length;
    const stopSampling = sampleDuring(pid);
    const { tracked, stop: stopTracking } = trackCorrectness(side.watcher, shim);

    ctx.log(`storm: toggling the parent for ${durationMs / 1000} s`);
    const { pairs, ipExitAt } = await toggleParent(side.namespace, durationMs);
    const atStormEnd = sampleUsage(pid);
    const settledAt = await waitForCpuSettled(pid);
    const samples = stopSampling();
    stopTracking();

    await side.watcher.resync();
    const measured = {
      durationMs,
      pairs,
      before,
      atStormEnd: atStormEnd ?? samples[samples.length - 1] ?? before,
      after: samples[samples.length - 1] ?? before,
      samples,
      tracked,
      ipExitAt,
      settledAt,
      correctAtEnd: isCorrect(side.watcher.state, shim),
      overflowLines: readDaemonLog(side.logFile).slice(logBefore).filter((entry) => /ENOBUFS/.test(entry.msg ?? entry.raw ?? '')),
      listenerOverflows: side.watcher.overflows,
      daemonExit,
      logTail: daemonExit ? tail(side.logFile, 3) : undefined,
    };
    return stormFigures(measured);
  } finally {
    await stopSide(side);
  }
}

function stormFigures(m) {
  const rss = m.samples.map((sample) => sample.rssKb);
  const { lastParentAt, correctSince } = m.tracked;
  const figures = {
    durationMs: m.durationMs,
    togglePairs: m.pairs,
    cpuDuringStormMs: m.atStormEnd.cpuMs - m.before.cpuMs,
    cpuTotalMs: m.after.cpuMs - m.before.cpuMs,
    rssBeforeKb: m.before.rssKb,
    rssPeakKb: Math.max(m.before.rssKb, ...rss),
    rssAfterKb: m.after.rssKb,
    hwmBeforeKb: m.before.hwmKb,
    hwmAfterKb: m.after.hwmKb,
    rssSamples: thin(m.samples, m.before),
    daemonOverflows: m.overflowLines.length,
    listenerOverflows: m.listenerOverflows,
    correctAfterLastEventMs:
      correctSince !== undefined && lastParentAt !== undefined ? Math.max(0, nsToMs(correctSince - lastParentAt)) : NaN,
    daemonSettledAfterIpExitMs: m.settledAt === undefined ? NaN : nsToMs(m.settledAt - m.ipExitAt),
    correctAtEnd: m.correctAtEnd,
  };
  if (m.daemonExit) {
    const cause = m.daemonExit.signal ? `signal ${m.daemonExit.signal}` : `exit code ${m.daemonExit.code}`;
    figures.daemonCrash = `macvlan-shim exited during the storm (${cause})`;
    figures.daemonLogTail = m.logTail;
  }
  return figures;
}

/** Keeps about one memory sample a second for the report. */
function thin(samples, before) {
  if (samples.length === 0) return [];
  const start = samples[0].at;
  const out = [{ seconds: 0, rssKb: before.rssKb }];
  let next = 1;
  for (const sample of samples) {
    const seconds = Number(sample.at - start) / 1e9;
    if (seconds >= next) {
      out.push({ seconds: Math.round(seconds), rssKb: sample.rssKb });
      next += 1;
    }
  }
  return out;
}

module.exports = { runStorm };
