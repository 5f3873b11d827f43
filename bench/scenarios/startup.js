'use strict';

const { createNamespace, createParent, deleteNamespace } = require('../lib/topology');
const { Watcher } = require('../lib/watcher');
const { manyShims, recoveryShim, PARENT } = require('../lib/shims');
const { writeDaemonConfig, startDaemon } = require('../lib/daemon');
const { startTracked, stopTracked } = require('../lib/proc');
const { summarize, nsToMs } = require('../lib/stats');
const { resetParent } = require('./scale');

const READY_TIMEOUT_MS = 30_000;

/** Exec to exit of `node -e 0`, spawned the same way as the daemon. */
async function bareNodeOnce(namespace) {
  const execAt = process.hrtime.bigint();
  const child = startTracked('ip', ['netns', 'exec', namespace, process.execPath, '-e', '0'], { stdio: 'ignore' });
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`node -e 0 exited with ${exit.code ?? exit.signal}`);
  return nsToMs(exit.at - execAt);
}

/**
 * Exec to READY=1 of one daemon start. A cold start first deletes every shim
 * (by recreating the parent); a warm start finds them in place.
 */
async function daemonStartOnce(ctx, { namespace, watcher, shims, notify, cold, label }) {
  if (cold) await resetParent(namespace, watcher);
  else await watcher.waitForQuiet(50);

  const configFile = ctx.file(`${label}.yaml`);
  writeDaemonConfig(configFile, shims);
  const execAt = process.hrtime.bigint();
  const daemon = startDaemon(namespace, configFile, {
    logFile: ctx.file(`${label}.log`),
    notifySocket: notify.path,
    ...ctx.daemonOptions(label),
  });
  try {
    const ready = await notify.waitForField('READY', execAt, READY_TIMEOUT_MS);
    if (!watcher.state.allFull(shims)) {
      await watcher.waitForFull(shims, 5000);
    }
    return nsToMs(ready.t - execAt);
  } finally {
    await stopTracked(daemon);
  }
}

/**
 * Measurement 2: exec to READY=1 on a real notify socket with 1 and with 64
 * shims, cold (no shim present) and warm (all present from the run before),
 * next to exec to exit of bare `node -e 0`.
 */
async function runStartup(ctx, { repetitions, notify }) {
  const namespace = await createNamespace('start');
  const watcher = new Watcher(namespace, ['LINK', 'IPV4_IFADDR', 'IPV4_ROUTE']);
  const samples = { bareNode: [] };
  try {
    await watcher.start();
    await createParent(namespace, PARENT);

    for (let i = 0; i < repetitions.bare; i += 1) samples.bareNode.push(await bareNodeOnce(namespace));

    const cases = [
      { key: 'cold1', shims: [recoveryShim()], cold: true, reps: repetitions.one },
      { key: 'warm1', shims: [recoveryShim()], cold: false, reps: repetitions.one },
      { key: 'cold64', shims: manyShims(64), cold: true, reps: repetitions.many },
      { key: 'warm64', shims: manyShims(64), cold: false, reps: repetitions.many },
    ];
    for (const { key, shims, cold, reps } of cases) {
      samples[key] = [];
      for (let i = 0; i < reps; i += 1) {
        const options = { namespace, watcher, shims, notify, cold, label: `start-${key}` };
        samples[key].push(await daemonStartOnce(ctx, options));
      }
      ctx.log(`start-up: ${key} done (${reps} starts)`);
    }
  } finally {
    await watcher.stop();
    await deleteNamespace(namespace);
  }
  return Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, summarize(list)]));
}

module.exports = { runStartup };
