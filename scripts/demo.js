#!/usr/bin/env node
// Shows the main job of macvlan-shim in throw-away network namespaces. The
// host cannot reach a macvlan container until the daemon adds a shim. Then
// the parent NIC is recreated and the host reaches the container again.
// Needs root.
'use strict';

const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const HOST = 'msdemo-host';
const LAN = 'msdemo-lan';
const CONTAINER = 'msdemo-ctr';
const CONTAINER_IP = '192.168.124.170';
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const CONFIG = `log:
  level: info
shims:
  - name: nic-macvlan
    parent: nic0
    mode: bridge
    addresses: [192.168.124.190/32]
    routes: [192.168.124.160/27]
`;

function ip(namespace, ...args) {
  execFileSync('ip', ['-n', namespace, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function step(text) {
  process.stdout.write(`\n== ${text}\n`);
}

function ping() {
  const result = spawnSync('ip', ['netns', 'exec', HOST, 'ping', '-c', '1', '-W', '1', CONTAINER_IP]);
  const reached = result.status === 0;
  process.stdout.write(`   host -> container ${CONTAINER_IP}: ${reached ? 'reachable' : 'UNREACHABLE'}\n`);
  return reached;
}

function createParent() {
  ip(HOST, 'link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'lan0', 'netns', LAN);
  ip(HOST, 'address', 'add', '192.168.124.30/24', 'dev', 'nic0');
  ip(HOST, 'link', 'set', 'nic0', 'up');
  ip(LAN, 'link', 'set', 'lan0', 'up');
  ip(HOST, 'link', 'add', 'ctr0', 'link', 'nic0', 'type', 'macvlan', 'mode', 'bridge');
  ip(HOST, 'link', 'set', 'ctr0', 'netns', CONTAINER);
  ip(CONTAINER, 'address', 'add', `${CONTAINER_IP}/24`, 'dev', 'ctr0');
  ip(CONTAINER, 'link', 'set', 'ctr0', 'up');
}

function cleanUp() {
  for (const namespace of [HOST, LAN, CONTAINER]) {
    spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
  }
}

/** Starts the daemon in the host namespace and echoes its log lines. */
function startDaemon(configPath) {
  const child = spawn('ip', ['netns', 'exec', HOST, process.execPath, CLI, 'run', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      record = { msg: line };
    }
    const fields = [record.shim && `shim=${record.shim}`, record.status && `status="${record.status}"`].filter(Boolean);
    process.stdout.write(`   daemon: ${[record.msg, ...fields].join(' ')}\n`);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(record.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const waitFor = (pattern) => new Promise((resolve) => waiters.push({ pattern, resolve }));
  return { child, waitFor };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  if (process.getuid() !== 0) {
    throw new Error('the demo creates network namespaces and needs root; run it with sudo');
  }
  const directory = mkdtempSync(join(tmpdir(), 'msdemo-'));
  const configPath = join(directory, 'config.yaml');
  writeFileSync(configPath, CONFIG, { mode: 0o644 });
  let daemon;
  try {
    cleanUp();
    step('building namespaces: host (nic0 192.168.124.30/24), lan, container (macvlan of nic0, 192.168.124.170)');
    for (const namespace of [HOST, LAN, CONTAINER]) execFileSync('ip', ['netns', 'add', namespace]);
    createParent();

    step('without a shim the kernel keeps the host away from its own macvlan children');
    ping();

    step('starting macvlan-shim with this config:');
    process.stdout.write(`${CONFIG.trimEnd().replace(/^/gm, '   ')}\n`);
    daemon = startDaemon(configPath);
    await withTimeout(daemon.waitFor(/^ready$/), 10_000, 'the daemon to become ready');
    ping();

    step('deleting and recreating the parent nic0 (as when a bridge restarts)');
    const recreated = daemon.waitFor(/recreated macvlan shim/);
    ip(HOST, 'link', 'delete', 'nic0');
    createParent();
    await withTimeout(recreated, 10_000, 'the shim to be recreated');
    ping();
  } finally {
    if (daemon) {
      daemon.child.kill('SIGTERM');
      await new Promise((resolve) => daemon.child.once('exit', resolve));
    }
    step('cleaning up the namespaces');
    cleanUp();
    rmSync(directory, { recursive: true, force: true });
  }
}

process.once('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

main().catch((error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  cleanUp();
  process.exit(1);
});
