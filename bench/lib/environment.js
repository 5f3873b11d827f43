'use strict';

const fs = require('node:fs');
const os = require('node:os');
const { run } = require('./proc');
const { networkdVersion } = require('./networkd');
const { PROJECT_ROOT } = require('./daemon');

function cpuModel() {
  const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  return match ? match[1].trim() : os.cpus()[0]?.model ?? 'unknown';
}

async function gitCommit() {
  const head = await run('git', ['-C', PROJECT_ROOT, 'rev-parse', '--short', 'HEAD'], { allowFailure: true });
  if (head.code !== 0) return 'unknown (not a git checkout)';
  const status = await run('git', ['-C', PROJECT_ROOT, 'status', '--porcelain', '--', 'src'], { allowFailure: true });
  const dirty = status.stdout.trim() ? ' with uncommitted changes in src/' : '';
  return `${head.stdout.trim()}${dirty}`;
}

/** Describes the machine and the versions of every program measured. */
async function describeEnvironment(mode) {
  const iproute = await run('ip', ['-V'], { allowFailure: true });
  return {
    cpuModel: cpuModel(),
    cores: os.cpus().length,
    memoryGb: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    networkd: await networkdVersion(),
    iproute: iproute.stdout.trim(),
    commit: await gitCommit(),
    mode,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

module.exports = { describeEnvironment };
