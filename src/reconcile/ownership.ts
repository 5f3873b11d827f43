import type { LinkState } from '../netlink/types';

/**
 * The interface alias (IFLA_IFALIAS, shown by `ip link`) marks links the
 * daemon created or adopted. Marking on the link itself leaves nothing on
 * disk to go stale: a link recreated by someone else carries no mark.
 */
const OWNER_ALIAS = 'managed by macvlan-shim';

/**
 * Suffix recording that the daemon turned the parent's promiscuous mode on,
 * so it turns it off again only then, after its last shim on that parent.
 */
const PROMISC_SUFFIX = '; parent promisc set';

export function isOwned(link: LinkState): boolean {
  return link.alias?.startsWith(OWNER_ALIAS) === true;
}

export function setParentPromisc(link: LinkState): boolean {
  return isOwned(link) && link.alias?.endsWith(PROMISC_SUFFIX) === true;
}

export function ownerAlias(parentPromiscSet: boolean): string {
  return parentPromiscSet ? OWNER_ALIAS + PROMISC_SUFFIX : OWNER_ALIAS;
}
