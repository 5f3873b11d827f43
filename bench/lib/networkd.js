'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { run, startTracked } = require('./proc');

const NETWORKD = '/lib/systemd/systemd-networkd';

/**
 * networkd features that macvlan-shim does not have, turned off so that
 * networkd does no extra work per link. LLDP matters most: its receiver binds
 * an AF_PACKET socket per link, and each bind waited 6-12 ms in the kernel
 * here (strace of networkd 252 on kernel 6.18).
 */
const FEATURES_OFF = ['LLDP=no', 'IPv6AcceptRA=no'];

/**
 * Writes .netdev and .network files that make systemd-networkd keep the same
 * shims as the macvlan-shim config: a macvlan per shim on the parent, the
 * parent promiscuous, addresses and scope-link routes. IPv6 link-local
 * addressing stays at networkd's default, which leaves the kernel's own
 * link-local address in place as macvlan-shim does.
 */
function writeNetworkdConfig(folder, parent, shims) {
  fs.mkdirSync(folder, { recursive: true });
  const parentNetwork = [
    '[Match]',
    `Name=${parent}`,
    '[Link]',
    'Promiscuous=yes',
    '[Network]',
    ...shims.map((shim) => `MACVLAN=${shim.name}`),
    ...FEATURES_OFF,
  ];
  fs.writeFileSync(path.join(folder, '10-parent.network'), lines(parentNetwork));

  for (const shim of shims) {
    const netdev = ['[NetDev]', `Name=${shim.name}`, 'Kind=macvlan', '[MACVLAN]', `Mode=${shim.mode}`];
    const network = [
      '[Match]',
      `Name=${shim.name}`,
      '[Network]',
      ...shim.addresses.map((address) => `Address=${address}`),
      ...FEATURES_OFF,
      ...shim.routes.flatMap((route) => ['[Route]', `Destination=${route}`, 'Scope=link']),
    ];
    fs.writeFileSync(path.join(folder, `20-${shim.name}.netdev`), lines(netdev));
    fs.writeFileSync(path.join(folder, `20-${shim.name}.network`), lines(network));
  }
}

function lines(list) {
  return list.join('\n') + '\n';
}

/**
 * Shell script run by `ip netns exec`, which already gives the process a
 * private mount namespace. networkd runs standalone there: /sys read-only
 * so it does not wait for udev, our config on /etc/systemd/network, an
 * empty folder over the packaged .network files, and a state folder on
 * /run/systemd/netif owned by systemd-network, the user it drops to.
 */
function mountScript(configFolder, emptyFolder) {
  return [
    'set -e',
    'mount -o remount,ro /sys',
    `mount --bind '${configFolder}' /etc/systemd/network`,
    `mount --bind '${emptyFolder}' /usr/lib/systemd/network`,
    'mkdir -p /run/systemd/netif',
    'mount -t tmpfs -o mode=0755 tmpfs /run/systemd/netif',
    'mkdir /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp',
    'chown -R systemd-network:systemd-network /run/systemd/netif',
    `exec ${NETWORKD}`,
  ].join('\n');
}

/**
 * Starts systemd-networkd in a namespace with the config in configFolder; its
 * log goes to logFile. Returns the tracked process (the networkd PID itself,
 * because both `ip netns exec` and the script exec into it).
 */
function startNetworkd(namespace, configFolder, workFolder, logFile) {
  const emptyFolder = path.join(workFolder, 'empty');
  fs.mkdirSync(emptyFolder, { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const child = startTracked(
    'ip',
    ['netns', 'exec', namespace, 'sh', '-c', mountScript(configFolder, emptyFolder)],
    {
      stdio: ['ignore', log, log],
      env: { ...process.env, SYSTEMD_LOG_TARGET: 'console', SYSTEMD_LOG_LEVEL: process.env.MBN_ND_LOG ?? 'info' },
    },
  );
  fs.closeSync(log);
  return child;
}

/** Returns the first line of `systemd-networkd --version`, such as "systemd 252 (…)". */
async function networkdVersion() {
  const { stdout } = await run(NETWORKD, ['--version']);
  return stdout.split('\n')[0].trim();
}

module.exports = { writeNetworkdConfig, startNetworkd, networkdVersion, NETWORKD };
