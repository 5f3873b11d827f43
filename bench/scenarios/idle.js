'use strict';

const { manyShims, PARENT } = require('../lib/shims');
const { readCpuMs, readProcStatus, delay } = require('../lib/proc');
const { startSide, stopSide } = require('./sides');

/**
 * Time from convergence to the start of the quiet window, so that IPv6
 * duplicate address detection (1-2 s) is over. V8's garbage collection after
 * start-up can still fall inside the window, and the 10 s slices show when.
 */
const SETTLE_BEFORE_IDLE_MS = 15_000;
/** Length of the slices the quiet window is also reported in. */
const SLICE_SECONDS = 10;

/** CPU time, memory and context switches of a process at one moment. */
function sampleProcess(pid) {
  const cpu = readCpuMs(pid);
  return { at: process.hrtime.bigint(), cpuMs: cpu.userMs + cpu.systemMs, ...cpu, ...readProcStatus(pid) };
}

/** Differences between two samples of the same process. */
function idleFigures(before, after, events) {
  const seconds = Number(after.at - before.at) / 1e9;
  const switches = after.voluntary + after.nonvoluntary - (before.voluntary + before.nonvoluntary);
  const mainSwitches =
    after.mainThreadVoluntary + after.mainThreadNonvoluntary - (before.mainThreadVoluntary + before.mainThreadNonvoluntary);
  return {
    seconds,
    cpuMs: after.cpuMs - before.cpuMs,
    wakeups: switches,
    wakeupsPerSecond: switches / seconds,
    mainThreadWakeups: mainSwitches,
    threads: after.threads,
    rssKb: after.rssKb,
    hwmKb: after.hwmKb,
    kernelEvents: events,
  };
}

/**
 * Measurement 4: 16 shims converged, then CPU time, context switches
 * (wake-ups) and resident memory over a quiet window, for macvlan-shim and,
 * in a neighbouring namespace over the same window, systemd-networkd keeping
 * the same 16 shims. The listener counts kernel events in the window too.
 */
async function runIdle(ctx, { seconds, withDaemon }) {
  const shims = manyShims(16);
  const sides = [];
  try {
    sides.push(await startSide(ctx, { kind: 'networkd', suffix: 'idle-nd', shims, parent: PARENT }));
    if (withDaemon) {
      sides.push(await startSide(ctx, { kind: 'daemon', suffix: 'idle-ms', shims, parent: PARENT, daemonOptions: ctx.daemonOptions('idle-ms') }));
    }
    const converged = sides.map((side) => sampleProcess(side.process.pid));
    await delay(SETTLE_BEFORE_IDLE_MS);

    ctx.log(`idle: measuring ${seconds} s of quiet`);
    const counters = sides.map((side) => side.watcher.startCounting());
    const before = sides.map((side) => sampleProcess(side.process.pid));
    const slices = sides.map(() => []);
    let previous = before;
    for (let elapsed = 0; elapsed < seconds; elapsed += SLICE_SECONDS) {
      await delay(Math.min(SLICE_SECONDS, seconds - elapsed) * 1000);
      const now = sides.map((side) => sampleProcess(side.process.pid));
      now.forEach((sample, i) => slices[i].push(idleFigures(previous[i], sample, undefined)));
      previous = now;
    }
    const after = previous;
    const events = counters.map((stop) => stop().total);

    const tools = {};
    sides.forEach((side, i) => {
      tools[side.label] = {
        ...idleFigures(before[i], after[i], events[i]),
        settling: idleFigures(converged[i], before[i], undefined),
        slices: slices[i].map((slice) => ({ seconds: slice.seconds, cpuMs: slice.cpuMs, wakeups: slice.wakeups })),
      };
    });
    return { settleSeconds: SETTLE_BEFORE_IDLE_MS / 1000, tools };
  } finally {
    for (const side of sides) {
      await stopSide(side);
    }
  }
}

module.exports = { runIdle, sampleProcess };
