'use strict';

const fs = require('node:fs');
const { createNamespace, createParent, deleteNamespace } = require('../lib/topology');
const { Watcher } = require('../lib/watcher');
const { writeNetworkdConfig, startNetworkd } = require('../lib/networkd');
const { writeDaemonConfig, startDaemon } = require('../lib/daemon');
const { stopTracked } = require('../lib/proc');

/** How long a tool may take to build its shims the first time, in ms. */
const FIRST_CONVERGE_TIMEOUT_MS = 30_000;

/**
 * Makes a namespace with a listener and the parent NIC, starts a shim keeper
 * in it (`kind` 'daemon' or 'networkd') for the given shims and waits until
 * they are fully in place. `groups` limits the listener's rtnetlink groups.
 * Returns a side: { label, kind, namespace, watcher, process, shims, logFile }.
 */
async function startSide(ctx, { kind, suffix, shims, parent, daemonOptions = {}, groups }) {
  const namespace = await createNamespace(suffix);
  const watcher = new Watcher(namespace, groups);
  await watcher.start();
  await createParent(namespace, parent);

  const logFile = ctx.file(`${suffix}.log`);
  let child;
  if (kind === 'networkd') {
    const configFolder = ctx.file(`${suffix}-network`);
    writeNetworkdConfig(configFolder, parent, shims);
    child = startNetworkd(namespace, configFolder, ctx.workFolder, logFile);
  } else {
    const configFile = ctx.file(`${suffix}.yaml`);
    writeDaemonConfig(configFile, shims, daemonOptions.logLevel);
    child = startDaemon(namespace, configFile, { logFile, ...daemonOptions });
  }

  const exitedEarly = child.exited.then((exit) => {
    throw new Error(`${kind} in ${namespace} exited (${exit.code ?? exit.signal}) before its shims were in place; log: ${tail(logFile)}`);
  });
  await Promise.race([watcher.waitForFull(shims, FIRST_CONVERGE_TIMEOUT_MS), exitedEarly]);
  exitedEarly.catch(() => undefined);

  const label = kind === 'networkd' ? 'systemd-networkd' : 'macvlan-shim';
  return { label, kind, namespace, watcher, process: child, shims, logFile };
}

/** Stops the side's shim keeper and its listener and deletes its namespace. */
async function stopSide(side) {
  await stopTracked(side.process);
  await side.watcher.stop();
  await deleteNamespace(side.namespace);
}

/** Returns the last lines of a log file, for error messages. */
function tail(file, count = 5) {
  if (!fs.existsSync(file)) return '(no log)';
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-count).join(' | ');
}

module.exports = { startSide, stopSide, tail };
