'use strict';

const { run, runSync } = require('./proc');

/** Every namespace name this run creates starts with this prefix. */
const NAMESPACE_PREFIX = `mbn-${process.pid}-`;

const ownNamespaces = new Set();

/**
 * Creates a network namespace named mbn-<PID>-<suffix> with loopback up and
 * returns its name. Only interfaces inside such namespaces are ever changed.
 */
async function createNamespace(suffix) {
  const name = `${NAMESPACE_PREFIX}${suffix}`;
  await run('ip', ['netns', 'add', name]);
  ownNamespaces.add(name);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes a namespace this run created, with every interface in it. */
async function deleteNamespace(name) {
  if (!ownNamespaces.has(name)) return;
  await run('ip', ['netns', 'del', name], { allowFailure: true });
  ownNamespaces.delete(name);
}

/** Deletes every namespace this run created; synchronous, for exit paths. */
function deleteAllNamespacesSync() {
  for (const name of ownNamespaces) {
    runSync('ip', ['netns', 'del', name]);
    ownNamespaces.delete(name);
  }
}

/**
 * Deletes namespaces left by an earlier bench run that was killed before its
 * cleanup ran: names mbn-<PID>-… whose PID is no longer running.
 */
async function deleteStaleNamespaces() {
  const { stdout } = await run('ip', ['netns', 'list']);
  const stale = [];

  for (const line of stdout.split('\n')) {
    const match = /^(mbn-(\d+)-\S+)/.exec(line);
    if (!match || isRunning(Number(match[2]))) continue;
    await run('ip', ['netns', 'del', match[1]], { allowFailure: true });
    stale.push(match[1]);
  }
  return stale;
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Name of the veth peer that gives the parent its carrier. */
function peerName(parent) {
  return `${parent.slice(0, 14)}p`;
}

/**
 * `ip -batch` lines that create the parent NIC as one end of a veth pair,
 * both ends up so that the parent has carrier. The kernel rejects IFF_UP on
 * the peer while the pair is being created (veth_open returns ENOTCONN), so
 * the parent is brought up by a second request right after.
 */
function parentCreateLines(parent) {
  return [
    `link add ${peerName(parent)} up type veth peer name ${parent}`,
    `link set ${parent} up`,
  ];
}

/** Creates the parent NIC in a namespace with one `ip -batch` process. */
async function createParent(namespace, parent) {
  const input = parentCreateLines(parent).join('\n') + '\n';
  await run('ip', ['-n', namespace, '-batch', '-'], { input });
}

/** Deletes the parent NIC; the kernel deletes its macvlans with it. */
async function deleteParent(namespace, parent) {
  await run('ip', ['-n', namespace, 'link', 'del', parent], {
    allowFailure: true,
  });
}

module.exports = {
  createNamespace,
  deleteNamespace,
  deleteAllNamespacesSync,
  deleteStaleNamespaces,
  peerName,
  parentCreateLines,
  createParent,
  deleteParent,
};
