import {
  integerField,
  listField,
  mappingField,
  mappingItems,
  stringField,
  type CheckedMapping,
  type CheckedString,
} from './checked';
import { blockText } from './ip';
import { IssueCollector, quote } from './issues';
import {
  DEFAULT_LOG_LEVEL,
  DEFAULT_RESYNC_SECONDS,
  LOG_LEVELS,
  isOneOf,
} from './keys';
import type { Config, LogLevel, ShimConfig } from './types';
import type { BlockItem } from './validate-address';
import { readShim, type ShimDraft } from './validate-shim';

/**
 * Runs the semantic checks on the checked document and builds the config.
 * Returns undefined when any error was found, in this step or before it.
 */
export function buildConfig(
  collector: IssueCollector,
  root: CheckedMapping,
): Config | undefined {
  const drafts = mappingItems(listField(root, 'shims')).map((shim) =>
    readShim(collector, shim),
  );
  checkUniqueNames(collector, drafts);
  checkAddressesNotShared(collector, drafts);
  checkMacsNotShared(collector, drafts);
  checkRoutesNotShared(collector, drafts);
  if (collector.hasErrors()) {
    return undefined;
  }
  const shims = drafts
    .map((draft) => draft.config)
    .filter((config): config is ShimConfig => config !== undefined);
  const resync = integerField(root, 'resync');
  return {
    log: { level: readLogLevel(root) },
    resyncSeconds: resync?.value ?? DEFAULT_RESYNC_SECONDS,
    shims,
  };
}

function readLogLevel(root: CheckedMapping): LogLevel {
  const log = mappingField(root, 'log');
  const level = log && stringField(log, 'level')?.value;
  return level !== undefined && isOneOf(LOG_LEVELS, level)
    ? level
    : DEFAULT_LOG_LEVEL;
}

/** Reports every shim whose name an earlier shim already uses. */
function checkUniqueNames(
  collector: IssueCollector,
  drafts: ShimDraft[],
): void {
  const first = new Map<string, CheckedString>();
  for (const { name } of drafts) {
    if (name === undefined) {
      continue;
    }
    const earlier = first.get(name.value);
    if (earlier === undefined) {
      first.set(name.value, name);
      continue;
    }
    collector.error(
      'duplicate-name',
      name,
      `${name.path} ${quote(name.value)} is already the name of ${earlier.path} (line ${earlier.line}); each shim needs its own interface name`,
      name.value,
    );
  }
}

/**
 * Reports an address given to two shims. Both interfaces would reply to ARP or
 * neighbour discovery for it with different MACs, so the LAN would send the
 * traffic to either one.
 */
function checkAddressesNotShared(
  collector: IssueCollector,
  drafts: ShimDraft[],
): void {
  const owners = new Map<string, CheckedString>();
  for (const draft of drafts) {
    for (const { item, block } of draft.addresses) {
      const key = block.address.text;
      const earlier = owners.get(key);
      if (earlier === undefined) {
        owners.set(key, item);
        continue;
      }
      collector.error(
        'duplicate-entry',
        item,
        `${item.path} ${quote(item.value)} is already an address of ${earlier.path} (line ${earlier.line}); give each shim its own address`,
        item.value,
      );
    }
  }
}

/** A shim with a configured MAC, described for messages. */
interface MacOwner {
  parent: string;
  /** Such as `shim 'a' (shims[0].mac, line 4)`. */
  description: string;
}

/**
 * Reports a configured MAC that an earlier shim already uses. On the same
 * parent this is an error, because macvlan_open() in drivers/net/macvlan.c
 * fails with EADDRINUSE (EBUSY in older kernels) when the parent or another
 * macvlan on it already has the address. The kernel accepts the same MAC on
 * separate parents, so that is only a warning, for parents on one LAN.
 */
function checkMacsNotShared(
  collector: IssueCollector,
  drafts: ShimDraft[],
): void {
  const owners = new Map<string, MacOwner[]>();
  for (const draft of drafts) {
    // A shim without a valid parent already has an error, and neither case
    // below can be decided for it.
    if (draft.mac === undefined || draft.parent === undefined) {
      continue;
    }
    const { item, mac } = draft.mac;
    const parent = draft.parent.value;
    const earlier = owners.get(mac) ?? [];
    const description = describeOwner(draft, item);
    owners.set(mac, [...earlier, { parent, description }]);
    const sameParent = earlier.find((owner) => owner.parent === parent);
    if (sameParent !== undefined) {
      collector.error(
        'duplicate-entry',
        item,
        `${item.path} ${quote(item.value)} is already the MAC of ${sameParent.description} on the same parent ${quote(parent)}; the kernel rejects a second macvlan with one MAC on one parent (EADDRINUSE at link-up), so give each shim its own MAC or leave mac out to derive one from /etc/machine-id`,
        item.value,
      );
      continue;
    }
    if (earlier.length === 0) {
      continue;
    }
    const other = earlier[0];
    collector.warn(
      'duplicate-entry',
      item,
      `${item.path} ${quote(item.value)} is already the MAC of ${other.description} on parent ${quote(other.parent)}; if both parents are on one LAN, switches and neighbours cannot tell the two shims apart, so give each shim its own MAC or leave mac out to derive one from /etc/machine-id`,
      item.value,
    );
  }
}

/**
 * Reports a route destination that an earlier shim already routes. The
 * daemon adds every route to the main table with NLM_F_EXCL and no metric,
 * so the kernel rejects a second route to the same destination with EEXIST.
 * The daemon takes EEXIST as success, so only the shim whose route the
 * kernel added first would get the traffic.
 */
function checkRoutesNotShared(
  collector: IssueCollector,
  drafts: ShimDraft[],
): void {
  const owners = new Map<string, { draft: ShimDraft; route: BlockItem }>();
  for (const draft of drafts) {
    for (const route of draft.routes) {
      const key = blockText(route.block);
      const earlier = owners.get(key);
      if (earlier === undefined) {
        owners.set(key, { draft, route });
        continue;
      }
      const { item } = route;
      collector.error(
        'duplicate-entry',
        item,
        `${item.path} ${quote(item.value)} is already a route of ${describeOwner(earlier.draft, earlier.route.item)}, and the main table keeps one route per destination and metric, so only one of the two shims would get it; route each prefix through one shim`,
        item.value,
      );
    }
  }
}

/** Names the shim that an entry belongs to, with the entry's path and line. */
function describeOwner(draft: ShimDraft, item: CheckedString): string {
  const place = `${item.path}, line ${item.line}`;
  return draft.name === undefined
    ? `an earlier shim (${place})`
    : `shim ${quote(draft.name.value)} (${place})`;
}
