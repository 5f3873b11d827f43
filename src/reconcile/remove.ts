import type { Logger } from '../log';
import type { NetlinkClient } from '../netlink/client';
import type { LinkState } from '../netlink/types';
import { isOwned, ownerAlias, readMark, setParentPromisc } from './ownership';
import type { SnapshotIndex } from './snapshot-index';

/** The steps that remove one shim, or the reason it is left alone. */
export interface Removal {
  shim: string;
  /** The shim to delete; absent when it is gone or not ours. */
  link?: LinkState;
  /** The parent whose promiscuous mode the daemon set and now turns off. */
  promiscOff?: LinkState;
  /** A remaining shim of ours on the same parent that takes over the promisc mark. */
  markHeir?: { link: LinkState; alias: string };
  /** Set when the link is left in place, with the reason. */
  skipped?: string;
}

/**
 * Plans the removal of shims by name: only links the daemon marked as its
 * own are deleted. The parent's promiscuous mode is turned off only if the
 * daemon turned it on and none of its shims remain on that parent. While
 * some remain, one of them inherits the mark that records it.
 */
export function planRemovals(names: string[], kernel: SnapshotIndex): Removal[] {
  const removals = names.map((name) => planRemoval(name, kernel));
  const deleted = new Set(removals.map((removal) => removal.link?.index));
  for (const removal of removals) {
    if (removal.link && setParentPromisc(removal.link)) {
      Object.assign(removal, handOverPromisc(removal.link, deleted, kernel));
    }
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

/** Own macvlans on the same parent as `link`, `link` itself included. */
export function ownSiblings(link: LinkState, kernel: SnapshotIndex): LinkState[] {
  return kernel.snapshot.links.filter(
    (other) => other.parentIndex === link.parentIndex && other.kind === 'macvlan' && isOwned(other),
  );
}

/** Decides who carries the "parent promisc set" mark once `link` is gone. */
export function handOverPromisc(
  link: LinkState,
  deleted: Set<number | undefined>,
  kernel: SnapshotIndex,
): Pick<Removal, 'promiscOff' | 'markHeir'> {
  const remaining = ownSiblings(link, kernel).filter((other) => !deleted.has(other.index));
  if (remaining.length === 0) {
    const parent = link.parentIndex === undefined ? undefined : kernel.linkAt(link.parentIndex);
    return { promiscOff: parent };
  }
  if (remaining.some(setParentPromisc)) {
    return {};
  }
  const heir = remaining[0];
  return { markHeir: { link: heir, alias: ownerAlias({ ...readMark(heir), promiscSet: true }) } };
}

/** Carries out one planned removal and logs each step. */
export async function applyRemoval(client: NetlinkClient, removal: Removal, log: Logger): Promise<void> {
  if (removal.link) {
    await client.deleteLink(removal.link.index, removal.shim);
    log.info('deleted shim that the config no longer lists');
  }
  if (removal.promiscOff) {
    await client.setPromisc(removal.promiscOff.index, removal.promiscOff.name, false);
    log.info({ parent: removal.promiscOff.name }, 'turned parent promiscuous mode off again');
  }
  if (removal.markHeir) {
    const { link, alias } = removal.markHeir;
    await client.setAlias(link.index, link.name, alias);
    log.info({ heir: link.name }, 'moved the parent-promisc mark to another shim on the same parent');
  }
}
