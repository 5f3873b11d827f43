'use strict';

const fs = require('node:fs');
const { manyShims, PARENT } = require('../lib/shims');
const { delay } = require('../lib/proc');
const { summarize, nsToMs } = require('../lib/stats');
const { startSide, stopSide } = require('./sides');

/**
 * Quiet time before the first reload. The kernel's IPv6 duplicate address
 * detection on new links ends with RTM_NEWADDR and RTM_NEWROUTE events 1-2 s
 * after link up, which would otherwise count as writes of the daemon.
 */
const QUIET_BEFORE_RELOADS_MS = 3000;
/** Time after READY=1 in which late writes still count against the reload. */
const TRAILING_WINDOW_MS = 200;
const RELOAD_TIMEOUT_MS = 10_000;

/** Reads the log lines appended to a file after byte offset `from`. */
function logLinesSince(file, from) {
  const text = fs.readFileSync(file, 'utf8').slice(from);
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return { msg: line };
      }
    });
}

/**
 * Sends one SIGHUP and returns the time to RELOADING=1 and to the READY=1
 * after it, the kernel change events seen from the signal until
 * TRAILING_WINDOW_MS after READY=1, and the actions the daemon's debug log
 * planned in that window (zero unless the log level is debug).
 */
async function reloadOnce(side, notify) {
  const logOffset = fs.statSync(side.logFile).size;
  const stopCounting = side.watcher.startCounting();
  const signalAt = process.hrtime.bigint();

  process.kill(side.process.pid, 'SIGHUP');
  const reloading = await notify.waitForField('RELOADING', signalAt, RELOAD_TIMEOUT_MS);
  const ready = await notify.waitForField('READY', reloading.t, RELOAD_TIMEOUT_MS);
  await delay(TRAILING_WINDOW_MS);

  const events = stopCounting();
  const entries = logLinesSince(side.logFile, logOffset);
  const plannedActions = entries
    .filter((entry) => entry.msg === 'plan')
    .reduce((sum, entry) => sum + (entry.actions?.length ?? 0), 0);
  return {
    toReloadingMs: nsToMs(reloading.t - signalAt),
    toReadyMs: nsToMs(ready.t - signalAt),
    events: events.total,
    eventsByType: events.byType,
    plannedActions,
    logLines: entries.length,
  };
}

/**
 * Measurement 6: SIGHUP with an unchanged config file, on a daemon keeping 16
 * converged shims. One daemon logs at info (the default) for the timing; a
 * second one logs at debug so its 'plan' lines list every write it intends.
 */
async function runReload(ctx, { repetitions, debugRepetitions, notify }) {
  const shims = manyShims(16);
  const result = {};
  for (const [level, reps] of [['info', repetitions], ['debug', debugRepetitions]]) {
    const suffix = `reload-${level}`;
    const daemonOptions = { ...ctx.daemonOptions(suffix), notifySocket: notify.path, logLevel: level };
    const startAt = process.hrtime.bigint();
    const side = await startSide(ctx, { kind: 'daemon', suffix, shims, parent: PARENT, daemonOptions });
    const samples = [];
    try {
      await notify.waitForField('READY', startAt, RELOAD_TIMEOUT_MS);
      await side.watcher.waitForQuiet(QUIET_BEFORE_RELOADS_MS);
      for (let i = 0; i < reps; i += 1) samples.push(await reloadOnce(side, notify));
    } finally {
      await stopSide(side);
    }
    result[level] = {
      toReadyMs: summarize(samples.map((s) => s.toReadyMs)),
      toReloadingMs: summarize(samples.map((s) => s.toReloadingMs)),
      eventsTotal: samples.reduce((sum, s) => sum + s.events, 0),
      eventsMax: Math.max(...samples.map((s) => s.events)),
      eventsByType: mergeCounts(samples.map((s) => s.eventsByType)),
      plannedActionsTotal: samples.reduce((sum, s) => sum + s.plannedActions, 0),
      reloads: samples.length,
      samples,
    };
    ctx.log(`reload: ${reps} reloads at log level ${level} done`);
  }
  return result;
}

function mergeCounts(list) {
  const merged = {};
  for (const counts of list) {
    for (const [key, value] of Object.entries(counts)) merged[key] = (merged[key] ?? 0) + value;
  }
  return merged;
}

module.exports = { runReload };
