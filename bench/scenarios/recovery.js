'use strict';

const { deleteParent, createParent } = require('../lib/topology');
const { recoveryShim, PARENT } = require('../lib/shims');
const { summarize, nsToMs } = require('../lib/stats');
const { startSide, stopSide } = require('./sides');

/** Quiet time after a delete, so both tools have handled the DELLINKs. */
const QUIET_AFTER_DELETE_MS = 30;
/** Quiet time after recovery, so late events do not leak into the next cycle. */
const QUIET_AFTER_RECOVERY_MS = 25;
/** A cycle that has not recovered by then counts as failed. */
const RECOVERY_TIMEOUT_MS = 5000;

/**
 * Milestones timed per cycle: `created` (the shim link exists, in any state)
 * splits the reaction to the parent from the work of rebuilding the shim.
 */
const MILESTONES = ['created', 'link', 'addresses', 'full'];

/**
 * Deletes the parent of one side and recreates it, then returns the time from
 * the parent's first RTM_NEWLINK to each milestone of the shim, in ms, as
 * stamped by the side's listener. Returns { failed: reason } on a timeout.
 */
async function recoveryCycle(side) {
  const { namespace, watcher } = side;
  const shim = side.shims[0];

  const deleted = watcher.waitFor(
    (_record, state) => !state.linkNamed(PARENT) && !state.linkNamed(shim.name),
    RECOVERY_TIMEOUT_MS,
    'parent and shim deleted',
  );
  await deleteParent(namespace, PARENT);
  await deleted;
  await watcher.waitForQuiet(QUIET_AFTER_DELETE_MS);

  let parentCreatedAt;
  const reached = {};
  const stopObserving = watcher.onRecord((record) => {
    if (parentCreatedAt === undefined) {
      if (record.type !== 'NEWLINK' || record.name !== PARENT) return;
      parentCreatedAt = record.t;
    }
    const milestones = watcher.state.shimMilestones(shim);
    for (const name of MILESTONES) {
      if (milestones[name] && reached[name] === undefined) {
        reached[name] = nsToMs(record.t - parentCreatedAt);
      }
    }
  });

  try {
    const full = watcher.waitFor(() => reached.full !== undefined, RECOVERY_TIMEOUT_MS, 'shim restored');
    await createParent(namespace, PARENT);
    await full;
  } catch (error) {
    return { failed: error.message };
  } finally {
    stopObserving();
  }
  await watcher.waitForQuiet(QUIET_AFTER_RECOVERY_MS);
  return reached;
}

/**
 * Measurement 1: parent deleted and recreated `cycles` times on each side,
 * macvlan-shim and systemd-networkd in neighbouring namespaces, cycles
 * interleaved and the order swapped every cycle so that neither side always
 * runs right after the other.
 */
async function runRecovery(ctx, { cycles, withDaemon }) {
  const shims = [recoveryShim()];
  const sides = [];
  try {
    ctx.log('recovery: starting systemd-networkd side');
    sides.push(await startSide(ctx, { kind: 'networkd', suffix: 'rec-nd', shims, parent: PARENT }));
    if (withDaemon) {
      ctx.log('recovery: starting macvlan-shim side');
      sides.push(await startSide(ctx, { kind: 'daemon', suffix: 'rec-ms', shims, parent: PARENT, daemonOptions: ctx.daemonOptions('rec-ms') }));
    }

    const samples = Object.fromEntries(sides.map((side) => [side.label, { cycles: [], failures: [] }]));
    for (let cycle = 0; cycle < cycles; cycle += 1) {
      const order = cycle % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const result = await recoveryCycle(side);
        if (result.failed) samples[side.label].failures.push({ cycle, reason: result.failed });
        else samples[side.label].cycles.push(result);
      }
      if ((cycle + 1) % 50 === 0) ctx.log(`recovery: ${cycle + 1}/${cycles} cycles`);
    }

    return summarizeRecovery(samples, sides, cycles);
  } finally {
    for (const side of sides) await stopSide(side);
  }
}

function summarizeRecovery(samples, sides, cycles) {
  const result = { cycles, quietAfterDeleteMs: QUIET_AFTER_DELETE_MS, tools: {} };
  for (const side of sides) {
    const { cycles: done, failures } = samples[side.label];
    const milestones = {};
    for (const name of MILESTONES) {
      milestones[name] = summarize(done.map((sample) => sample[name]));
    }
    result.tools[side.label] = {
      milestones,
      failures,
      overflows: side.watcher.overflows,
      raw: done,
    };
  }
  return result;
}

module.exports = { runRecovery, MILESTONES };
