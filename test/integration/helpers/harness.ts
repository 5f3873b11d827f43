import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { DaemonProcess } from './daemon';
import { NotifyListener } from './notify';
import { ipIn } from './netns';
import { waitFor } from './sh';
import { Topology } from './topology';

/** A daemon and the notify socket it reports to, stopped when the test ends. */
export interface RunningDaemon {
  daemon: DaemonProcess;
  notify: NotifyListener;
  configPath: string;
}

/**
 * Creates the namespaces and links of a Topology and deletes them when the
 * test ends, also when an assertion fails. The parent's IPv6 link-local
 * address has finished duplicate address detection on return, so its
 * address event does not arrive in the middle of a test.
 */
export async function createTopology(t: Test, prefix: string): Promise<Topology> {
  const topology = new Topology(prefix);
  t.teardown(() => topology.destroy());
  topology.create();
  await waitForDad(topology.host, topology.parent);
  return topology;
}

/** Waits until no IPv6 address on the interface is tentative any more. */
export async function waitForDad(namespace: string, name: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `duplicate address detection on '${name}' in ${namespace}`,
    () => {
      const [entry] = JSON.parse(ipIn(namespace, ['-6', '-j', 'address', 'show', 'dev', name])) as {
        addr_info?: { tentative?: boolean }[];
      }[];
      const addresses = entry?.addr_info ?? [];
      return addresses.length > 0 && addresses.every((address) => address.tentative !== true);
    },
    timeoutMs,
  );
}

/**
 * Writes `config` into the topology's folder and starts the daemon in the
 * host namespace. The test's teardown stops the daemon and the listener,
 * also when an assertion fails.
 */
export async function startDaemon(t: Test, topology: Topology, config: string): Promise<RunningDaemon> {
  const notify = await NotifyListener.start();
  const path = topology.writeConfig(config);
  const daemon = new DaemonProcess(topology.host, path, { NOTIFY_SOCKET: notify.path });
  t.teardown(async () => {
    await daemon.stop();
    notify.stop();
  });
  return { daemon, notify, configPath: path };
}

/**
 * True while the daemon process has neither exited nor been killed. Reads
 * /proc as well, because the child's exit event waits for this process's
 * event loop, which synchronous helpers such as `ip` calls keep busy.
 */
export function isRunning(daemon: DaemonProcess): boolean {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return false;
  try {
    const stat = readFileSync(`/proc/${daemon.child.pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses.
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Describes how the daemon process ended, for failure messages: `running`,
 * `exit 1` or `signal SIGABRT`, followed by what it wrote to stderr. Waits
 * up to two seconds for the exit event of a process that is already gone.
 */
export async function describeExit(daemon: DaemonProcess): Promise<string> {
  const { child } = daemon;
  if (isRunning(daemon)) return 'running';
  if (child.exitCode === null && child.signalCode === null) {
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
  const ending = child.signalCode !== null ? `signal ${child.signalCode}` : `exit ${child.exitCode}`;
  return `${ending}; stderr: ${daemon.stderr.join(' | ')}`;
}
