'use strict';

const { createNamespace, createParent, deleteParent, deleteNamespace } = require('../lib/topology');
const { Watcher } = require('../lib/watcher');
const { manyShims, ipBatchLines, PARENT } = require('../lib/shims');
const { runIpBatch, writeBatchFile } = require('../lib/ipbatch');
const { writeDaemonConfig, startDaemon } = require('../lib/daemon');
const { stopTracked } = require('../lib/proc');
const { summarize, nsToMs } = require('../lib/stats');

/** Time a cold apply of 256 shims may take before the run counts as failed. */
const APPLY_TIMEOUT_MS = 60_000;

/**
 * Deletes the parent (and with it every shim) and creates it again, so that
 * the next apply starts cold; waits until the namespace is quiet.
 */
async function resetParent(namespace, watcher) {
  const deleted = watcher.waitFor((_r, state) => !state.linkNamed(PARENT), 30_000, 'parent deleted');
  await deleteParent(namespace, PARENT);
  await deleted;
  const back = watcher.waitFor((_r, state) => state.linkNamed(PARENT)?.lowerUp, 10_000, 'parent up');
  await createParent(namespace, PARENT);
  await back;
  await watcher.waitForQuiet(50);
}

/**
 * Returns a function that records when the first shim appears; call it to
 * stop observing and get that time (bigint ns) or undefined.
 */
function observeFirstShim(watcher, shims) {
  const names = new Set(shims.map((shim) => shim.name));
  let first;
  const stop = watcher.onRecord((record) => {
    if (first === undefined && record.type === 'NEWLINK' && names.has(record.name)) first = record.t;
  });
  return () => {
    stop();
    return first;
  };
}

/** Applies the shims cold with `ip -batch`; returns the times from exec and from the first shim to all shims in place. */
async function applyWithIp(ctx, namespace, watcher, shims) {
  const batchFile = writeBatchFile(ctx.file(`scale-${shims.length}.batch`), ipBatchLines(shims));
  const firstShim = observeFirstShim(watcher, shims);
  const full = watcher.waitFor((_r, state) => state.allFull(shims), APPLY_TIMEOUT_MS, `${shims.length} shims by ip`);

  const { execAt } = await runIpBatch(namespace, batchFile);
  const fullRecord = await full;
  const firstAt = firstShim();
  return {
    execToFullMs: nsToMs(fullRecord.t - execAt),
    applyMs: nsToMs(fullRecord.t - firstAt),
  };
}

/** Starts the daemon cold with the shims; returns the same times plus exec to READY=1. */
async function applyWithDaemon(ctx, namespace, watcher, shims, notify) {
  const configFile = ctx.file(`scale-${shims.length}.yaml`);
  writeDaemonConfig(configFile, shims);
  const firstShim = observeFirstShim(watcher, shims);
  const full = watcher.waitFor((_r, state) => state.allFull(shims), APPLY_TIMEOUT_MS, `${shims.length} shims by macvlan-shim`);

  const execAt = process.hrtime.bigint();
  const daemon = startDaemon(namespace, configFile, {
    logFile: ctx.file(`scale-${shims.length}.log`),
    notifySocket: notify.path,
    ...ctx.daemonOptions(`scale-${shims.length}`),
  });
  try {
    const [fullRecord, ready] = await Promise.all([
      full,
      notify.waitForField('READY', execAt, APPLY_TIMEOUT_MS),
    ]);
    const firstAt = firstShim();
    return {
      execToFullMs: nsToMs(fullRecord.t - execAt),
      applyMs: nsToMs(fullRecord.t - firstAt),
      execToReadyMs: nsToMs(ready.t - execAt),
    };
  } finally {
    await stopTracked(daemon);
  }
}

/**
 * Measurement 3: cold apply of each size by `ip -batch` and by the daemon,
 * alternating which goes first, in one namespace with one parent.
 */
async function runScale(ctx, { sizes, repetitions, withDaemon, notify }) {
  const namespace = await createNamespace('scale');
  const watcher = new Watcher(namespace, ['LINK', 'IPV4_IFADDR', 'IPV4_ROUTE']);
  const results = {};
  try {
    await watcher.start();
    await createParent(namespace, PARENT);

    for (const size of sizes) {
      const shims = manyShims(size);
      const samples = { ip: [], daemon: [] };
      const reps = repetitions(size);
      for (let rep = 0; rep < reps; rep += 1) {
        let tools = ['ip'];
        if (withDaemon) tools = rep % 2 === 0 ? ['ip', 'daemon'] : ['daemon', 'ip'];
        for (const tool of tools) {
          await resetParent(namespace, watcher);
          const sample =
            tool === 'ip'
              ? await applyWithIp(ctx, namespace, watcher, shims)
              : await applyWithDaemon(ctx, namespace, watcher, shims, notify);
          samples[tool].push(sample);
        }
      }
      results[size] = summarizeSize(samples);
      ctx.log(`scale: ${size} shim(s) done (${reps} repetitions)`);
    }
    return { sizes, results };
  } finally {
    await watcher.stop();
    await deleteNamespace(namespace);
  }
}

function summarizeSize(samples) {
  const summary = {};
  for (const [tool, list] of Object.entries(samples)) {
    if (list.length === 0) continue;
    summary[tool] = {};
    for (const key of Object.keys(list[0])) {
      summary[tool][key] = summarize(list.map((sample) => sample[key]));
    }
  }
  return summary;
}

module.exports = { runScale, resetParent };
