'use strict';

const fs = require('node:fs');
const { startTracked } = require('./proc');

/**
 * Runs `ip -batch FILE` inside a namespace through `ip netns exec`, the same
 * way the daemon is started, and returns { execAt, exit } where execAt is
 * process.hrtime.bigint() just before the spawn and exit.at the time the
 * driver saw it exit. Throws when ip exits non-zero.
 */
async function runIpBatch(namespace, batchFile) {
  const execAt = process.hrtime.bigint();
  const child = startTracked('ip', ['netns', 'exec', namespace, 'ip', '-batch', batchFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));

  const exit = await child.exited;
  if (exit.code !== 0) {
    throw new Error(`ip -batch ${batchFile} in ${namespace} failed (${exit.code ?? exit.signal}): ${stderr.trim()}`);
  }
  return { execAt, exit };
}

/** Writes `ip -batch` lines to a file and returns its path. */
function writeBatchFile(file, lines) {
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

module.exports = { runIpBatch, writeBatchFile };
