import type { Action, ShimPlan, ShimState } from './actions';

/** The state of one configured shim, as logs, STATUS= and `status` show it. */
export interface ShimStatus {
  shim: string;
  parent: string;
  state: ShimState;
  reason?: string;
  index?: number;
}

/**
 * Formats one line for systemd's STATUS=, such as `1/1 shims up` or
 * `0/1 up, waiting for parent 'kvmbr0'`.
 */
export function statusLine(statuses: ShimStatus[]): string {
  const ready = statuses.filter((status) => status.state === 'ready').length;
  if (ready === statuses.length) {
    return `${ready}/${statuses.length} shims up`;
  }
  const problems = statuses.filter((status) => status.state !== 'ready').map(describe);
  return `${ready}/${statuses.length} up, ${problems.join('; ')}`;
}

function describe(status: ShimStatus): string {
  switch (status.state) {
    case 'waiting-for-parent':
      return `waiting for parent '${status.parent}'`;
    case 'conflict':
      return `conflict on '${status.shim}'`;
    case 'failed':
      return `'${status.shim}' failed, retrying`;
    case 'converging':
    case 'ready':
      return `'${status.shim}' converging`;
  }
}

/** Returns the state a plan leaves a shim in once `applied`, its unheld actions, succeeded. */
export function outcome(plan: ShimPlan, applied: Action[]): Pick<ShimStatus, 'state' | 'reason'> {
  if (applied.length < plan.actions.length) {
    return { state: 'failed', reason: 'restores on hold while something else keeps undoing them' };
  }
  return { state: plan.state === 'converging' ? 'ready' : plan.state, reason: plan.reason };
}
