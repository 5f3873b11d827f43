import type { LinkState } from '../netlink/types';
import { isOwned, setParentPromisc } from './ownership';
import type { SnapshotIndex } from './snapshot-index';

/** What removing one shim takes, or why it is left alone. */
export interface Removal {
  shim: string;
  /** The shim to delete; absent when it is gone or not ours. */
  link?: LinkState;
  /** The parent whose promiscuous mode the daemon set and now turns off. */
  promiscOff?: LinkState;
  /** Set when the link is left in place, with the reason. */
  skipped?: string;
}

/**
 * Plans the removal of shims by name: only links the daemon marked as its
 * own are deleted. The parent's promiscuous mode is turned off only if the
 * daemon turned it on and none of its shims remain on that parent.
 */
export function planRemovals(names: string[], kernel: SnapshotIndex): Removal[] {
  const removals = names.map((name) => planRemoval(name, kernel));
  const deleted = new Set(removals.map((removal) => removal.link?.index));
  for (const removal of removals) {
    removal.promiscOff = promiscToUndo(removal.link, deleted, kernel);
  }
  return removals;
}

function planRemoval(name: string, kernel: SnapshotIndex): Removal {
  const link = kernel.link(name);
  if (!link) {
    return { shim: name };
  }
  if (link.kind !== 'macvlan' || !isOwned(link)) {
    return { shim: name, skipped: `'${name}' was not created by macvlan-shim` };
  }
  return { shim: name, link };
}

function promiscToUndo(
  link: LinkState | undefined,
  deleted: Set<number | undefined>,
  kernel: SnapshotIndex,
): LinkState | undefined {
  if (!link || link.parentIndex === undefined) {
    return undefined;
  }
  const siblings = kernel.snapshot.links.filter(
    (other) => other.parentIndex === link.parentIndex && other.kind === 'macvlan' && isOwned(other),
  );
  // NOTE: when the shim carrying the mark goes while a sibling stays, the
  // mark is not moved to the sibling, so promiscuous mode stays on after the
  // last shim on that parent is removed later.
  const flagged = siblings.some(setParentPromisc);
  const remaining = siblings.filter((other) => !deleted.has(other.index));
  if (!flagged || remaining.length > 0 || !setParentPromisc(link)) {
    return undefined;
  }
  return kernel.linkAt(link.parentIndex);
}
