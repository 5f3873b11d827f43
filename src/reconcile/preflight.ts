import type { DesiredShim } from './desired';
import { isOwned } from './ownership';
import { parentConflict } from './guards';
import type { SnapshotIndex } from './snapshot-index';

/** A fact about the live system that decides whether a shim can work. */
export interface Finding {
  shim: string;
  severity: 'error' | 'warning' | 'note';
  message: string;
}

/**
 * Checks each shim's parent and name against the running kernel: the same
 * conditions the planner acts on, put in words before anything is applied.
 */
export function preflight(
  shims: DesiredShim[],
  kernel: SnapshotIndex,
  isWireless: (name: string) => boolean,
): Finding[] {
  return shims.flatMap((shim) => [...parentFindings(shim, kernel, isWireless), ...nameFindings(shim, kernel)]);
}

function parentFindings(shim: DesiredShim, kernel: SnapshotIndex, isWireless: (name: string) => boolean): Finding[] {
  const parent = kernel.link(shim.parent);
  const finding = (severity: Finding['severity'], message: string) => ({ shim: shim.name, severity, message });
  if (!parent) {
    return [finding('note', `parent '${shim.parent}' is not present now; the daemon waits for it`)];
  }
  const findings: Finding[] = [];
  const conflict = parentConflict(shim, parent, kernel);
  if (conflict) {
    findings.push(finding('error', conflict));
  }
  if (isWireless(parent.name)) {
    findings.push(finding('warning', wirelessWarning(parent.name)));
  }
  return findings;
}

/** Explains why a Wi-Fi parent is a poor host for a shim; shared by check and the daemon. */
export function wirelessWarning(parent: string): string {
  return `parent '${parent}' is a wireless interface; most Wi-Fi links drop frames from extra MACs, so the shim will likely not reach the containers (consider ipvlan)`;
}

function nameFindings(shim: DesiredShim, kernel: SnapshotIndex): Finding[] {
  const link = kernel.link(shim.name);
  if (!link || isOwned(link)) return [];
  if (link.kind !== 'macvlan') {
    const what = link.kind ?? 'non-macvlan';
    return [{ shim: shim.name, severity: 'error', message: `'${shim.name}' already exists as a ${what} device; the daemon will leave it alone and report a conflict` }];
  }
  return [{ shim: shim.name, severity: 'note', message: `'${shim.name}' exists as a macvlan not created by macvlan-shim; the daemon adopts it if it matches the config` }];
}
