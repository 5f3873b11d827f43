import type { LinkState } from '../netlink/types';

/**
 * The interface alias (IFLA_IFALIAS, shown by `ip link`) marks links the
 * daemon created or adopted. Marking on the link itself leaves nothing on
 * disk to go stale: a link recreated by someone else carries no mark.
 */
const OWNER_ALIAS = 'managed by macvlan-shim';

/**
 * Recorded when the daemon turned the parent's promiscuous mode on, so it
 * turns it off again only then, after its last shim on that parent.
 */
const PROMISC_FLAG = 'parent promisc set';

/**
 * Recorded when the daemon adopted a macvlan someone else created. Such a
 * shim keeps its MAC: changing it would disturb the neighbours' caches.
 */
const ADOPTED_FLAG = 'adopted';

export interface OwnerMark {
  promiscSet: boolean;
  adopted: boolean;
}

export function isOwned(link: LinkState): boolean {
  return link.alias?.startsWith(OWNER_ALIAS) === true;
}

/** Reads the flags of an owned link's mark; an unowned link has none. */
export function readMark(link: LinkState): OwnerMark {
  const flags = isOwned(link) ? (link.alias ?? '').split('; ').slice(1) : [];
  return { promiscSet: flags.includes(PROMISC_FLAG), adopted: flags.includes(ADOPTED_FLAG) };
}

export function setParentPromisc(link: LinkState): boolean {
  return readMark(link).promiscSet;
}

export function ownerAlias(mark: OwnerMark): string {
  const flags = [...(mark.adopted ? [ADOPTED_FLAG] : []), ...(mark.promiscSet ? [PROMISC_FLAG] : [])];
  return [OWNER_ALIAS, ...flags].join('; ');
}
