import { formatIssue, loadConfigFile } from '../config';
import type { Action } from '../reconcile/actions';
import { DesiredShim, desiredShims, readMachineId } from '../reconcile/desired';
import { isOwned } from '../reconcile/ownership';
import { planShim } from '../reconcile/plan';
import { isConfigurable } from '../reconcile/prefixes';
import type { SnapshotIndex } from '../reconcile/snapshot-index';
import { readKernel } from './kernel';

export interface StatusOptions {
  configPath: string;
  json: boolean;
}

/** Desired and actual state of one shim; the `--json` output is a list of these. */
export interface ShimReport {
  shim: string;
  state: string;
  matches: boolean;
  reason?: string;
  desired: { parent: string; mode: string; mac?: string; mtu?: number; addresses: string[]; routes: string[] };
  actual: {
    exists: boolean;
    owned?: boolean;
    parent?: string;
    mode?: string;
    mac?: string;
    mtu?: number;
    up?: boolean;
    addresses: string[];
    routes: string[];
  };
  differences: string[];
}

/** Prints each configured shim next to the kernel's view; returns 0 when all match. */
export async function runStatus(options: StatusOptions): Promise<number> {
  const loaded = await loadConfigFile(options.configPath);
  if (!loaded.config) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const kernel = await readKernel();
  if (!kernel) {
    process.stderr.write('macvlan-shim: cannot read links over netlink\n');
    return 1;
  }
  const reports = desiredShims(loaded.config.shims, readMachineId()).map((shim) => reportShim(shim, kernel));
  process.stdout.write(options.json ? `${JSON.stringify({ shims: reports }, null, 2)}\n` : formatTable(reports));
  return reports.every((report) => report.matches) ? 0 : 1;
}

export function reportShim(desired: DesiredShim, kernel: SnapshotIndex): ShimReport {
  const plan = planShim(desired, kernel);
  const link = kernel.link(desired.name);
  const parent = link?.parentIndex === undefined ? undefined : kernel.linkAt(link.parentIndex);
  return {
    shim: desired.name,
    // Without a running daemon nothing is converging: the shim just differs.
    state: plan.state === 'converging' ? 'differs' : plan.state,
    matches: plan.state === 'ready',
    reason: plan.reason,
    desired: {
      parent: desired.parent,
      mode: desired.mode,
      mac: desired.mac,
      mtu: desired.mtu,
      addresses: desired.addresses.map((prefix) => prefix.text),
      routes: desired.routes.map((prefix) => prefix.text),
    },
    actual: {
      exists: link !== undefined,
      owned: link ? isOwned(link) : undefined,
      parent: parent?.name,
      mode: link?.kind === 'macvlan' ? link.macvlanMode : link && `${link.kind ?? 'non-macvlan'} device`,
      mac: link?.mac,
      mtu: link?.mtu,
      up: link?.up,
      addresses: link ? kernel.addresses(link.index).filter(isConfigurable).map((item) => `${item.address}/${item.prefixLength}`) : [],
      routes: link ? kernel.routes(link.index).map((item) => `${item.destination}/${item.prefixLength}`) : [],
    },
    differences: differences(plan.actions),
  };
}

/** Describes the plan; a missing shim is one line, not every step of creating it. */
function differences(actions: Action[]): string[] {
  const create = actions.find((action) => action.kind === 'create');
  return create ? [describeAction(create)] : actions.map(describeAction);
}

function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create':
      return `missing: macvlan on '${action.parent}'`;
    case 'delete':
      return `to replace: ${action.reason}`;
    case 'mark':
      return action.adopt ? 'not marked as managed by macvlan-shim' : 'ownership mark to update';
    case 'set-mtu':
      return `mtu differs: want ${action.mtu}`;
    case 'set-mac':
      return `mac differs: want ${action.mac}`;
    case 'set-up':
      return 'down: want up';
    case 'set-parent-promisc':
      return action.on ? `parent '${action.parent}' not promiscuous` : `parent '${action.parent}' promiscuous mode to undo`;
    case 'remark':
      return `promisc mark to move to '${action.name}'`;
    case 'add-address':
      return `missing address ${action.address.text}`;
    case 'delete-address':
      return `extra address ${action.address.text}`;
    case 'add-route':
      return `missing route ${action.route.text}`;
    case 'delete-route':
      return `extra route ${action.route.text}`;
  }
}

function yesNo(value: boolean | undefined): string {
  if (value === undefined) return '-';
  return value ? 'yes' : 'no';
}

function formatTable(reports: ShimReport[]): string {
  const header = ['SHIM', 'PARENT', 'STATE', 'UP', 'MODE', 'ADDRESSES', 'ROUTES'];
  const rows = reports.map((report) => [
    report.shim,
    report.actual.parent ?? report.desired.parent,
    report.state,
    yesNo(report.actual.up),
    report.actual.mode ?? '-',
    report.actual.addresses.join(',') || '-',
    report.actual.routes.join(',') || '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const lines = [format(header), ...rows.map(format)];
  for (const report of reports) {
    if (report.reason) lines.push(`${report.shim}: ${report.reason}`);
    for (const difference of report.differences) lines.push(`${report.shim}: ${difference}`);
  }
  return `${lines.join('\n')}\n`;
}
