import type { KernelEvent } from '../netlink/events';
import type { DesiredShim } from './desired';
import type { SnapshotIndex } from './snapshot-index';

/**
 * The interface names and ifindexes whose events can change a plan: the
 * shims, their parents and the links they hang off. Events about anything
 * else (another container's veth, an unrelated route) are ignored, so a busy
 * host does not wake the reconciler.
 */
export class Watchlist {
  private names = new Set<string>();
  private indices = new Set<number>();

  update(desired: DesiredShim[], removed: string[], kernel: SnapshotIndex): void {
    this.names = new Set([...removed, ...desired.flatMap((shim) => [shim.name, shim.parent])]);
    this.indices = new Set();
    for (const name of this.names) {
      const link = kernel.link(name);
      if (!link) continue;
      this.indices.add(link.index);
      if (link.parentIndex !== undefined) this.indices.add(link.parentIndex);
    }
  }

  addIndex(index: number): void {
    this.indices.add(index);
  }

  matches(event: KernelEvent): boolean {
    if (event.object === 'link' && event.name !== undefined && this.names.has(event.name)) return true;
    return this.indices.has(event.index);
  }
}
