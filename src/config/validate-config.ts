import {
  integerField,
  listField,
  mappingField,
  mappingItems,
  stringField,
  type CheckedMapping,
  type CheckedString,
} from './checked';
import { IssueCollector, quote } from './issues';
import {
  DEFAULT_LOG_LEVEL,
  DEFAULT_RESYNC_SECONDS,
  LOG_LEVELS,
  isOneOf,
} from './keys';
import type { Config, LogLevel, ShimConfig } from './types';
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
