'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { startTracked } = require('./proc');

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(PROJECT_ROOT, 'dist', 'cli.js');

/** Writes a macvlan-shim config file for the given shims (mode 0600). */
function writeDaemonConfig(file, shims, logLevel = 'info') {
  const lines = ['log:', `  level: ${logLevel}`, 'shims:'];
  for (const shim of shims) {
    lines.push(
      `  - name: ${shim.name}`,
      `    parent: ${shim.parent}`,
      `    mode: ${shim.mode}`,
      `    addresses: [${shim.addresses.join(', ')}]`,
      `    routes: [${shim.routes.join(', ')}]`,
    );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
}

/**
 * Starts `node dist/cli.js run --config FILE` in a namespace with its JSON log
 * appended to logFile. notifySocket sets NOTIFY_SOCKET; cpuProfileFolder adds
 * `--cpu-prof`. The returned process is the daemon itself, because
 * `ip netns exec` execs into node.
 */
function startDaemon(namespace, configFile, options) {
  const nodeArgs = [];
  if (options.cpuProfileFolder) {
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileFolder);
  }
  const env = { ...process.env };
  delete env.NOTIFY_SOCKET;
  if (options.notifySocket) env.NOTIFY_SOCKET = options.notifySocket;

  const log = fs.openSync(options.logFile, 'a');
  const child = startTracked(
    'ip',
    ['netns', 'exec', namespace, process.execPath, ...nodeArgs, CLI, 'run', '--config', configFile],
    { stdio: ['ignore', log, log], env, cwd: PROJECT_ROOT },
  );
  fs.closeSync(log);
  return child;
}

/** Parses a pino JSON log file; lines that are not JSON become { raw }. */
function readDaemonLog(logFile) {
  if (!fs.existsSync(logFile)) return [];
  const entries = [];
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      entries.push({ raw: line });
    }
  }
  return entries;
}

function daemonBuilt() {
  return fs.existsSync(CLI);
}

module.exports = { writeDaemonConfig, startDaemon, readDaemonLog, daemonBuilt, CLI, PROJECT_ROOT };
