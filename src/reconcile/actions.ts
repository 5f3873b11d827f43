import type { MacvlanMode, Prefix } from '../config/types';

/**
 * One kernel change. Actions on the shim name it rather than carry an
 * ifindex, because the shim of a `create` has no ifindex until it exists.
 */
export type Action =
  | { kind: 'create'; parent: string; parentIndex: number; mode: MacvlanMode; mac?: string; mtu?: number }
  | { kind: 'delete'; index: number; reason: string }
  /**
   * Sets the ownership alias; with `configure`, also turns on arp_notify,
   * promote_secondaries and ndisc_notify and turns off accept_ra and
   * autoconf.
   */
  | { kind: 'mark'; alias: string; adopt: boolean; configure: boolean }
  | { kind: 'set-mtu'; mtu: number }
  | { kind: 'set-mac'; mac: string }
  | { kind: 'set-up' }
  | { kind: 'set-parent-promisc'; parent: string; parentIndex: number; on: boolean }
  /** Moves the ownership mark's flags to another of our shims (by ifindex). */
  | { kind: 'remark'; index: number; name: string; alias: string }
  | { kind: 'add-address'; address: Prefix }
  | { kind: 'delete-address'; address: Prefix }
  | { kind: 'add-route'; route: Prefix }
  | { kind: 'delete-route'; route: Prefix };

/**
 * Per-shim states. The same words appear in logs, in STATUS= and in the
 * `status` command.
 */
export type ShimState = 'waiting-for-parent' | 'conflict' | 'converging' | 'ready' | 'failed';

export interface ShimPlan {
  shim: string;
  parent: string;
  state: ShimState;
  /** The reason the shim is waiting or in conflict, in words an operator can act on. */
  reason?: string;
  actions: Action[];
}
