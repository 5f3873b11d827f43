import {
  booleanField,
  integerField,
  listField,
  mappingField,
  stringField,
  type CheckedMapping,
  type CheckedString,
} from './checked';
import { toPrefix } from './ip';
import { IssueCollector, quote } from './issues';
import { DEFAULT_MODE, DEFAULT_PROMISC, MACVLAN_MODES, isOneOf } from './keys';
import type { MacvlanMode, ShimConfig } from './types';
import {
  readShimAddresses,
  readShimRoutes,
  type BlockItem,
} from './validate-address';
import {
  readDocker,
  toDockerNetwork,
  type DockerDraft,
} from './validate-docker';
import { checkShimAgainstDocker } from './validate-docker-shim';
import { readMac } from './validate-mac';
import { checkInterfaceName, checkNamePattern } from './validate-name';

/** The kernel disables IPv6 on links with an MTU below this (RFC 8200). */
const IPV6_MIN_MTU = 1280;

type NonBridgeMode = Exclude<MacvlanMode, 'bridge'>;

/**
 * The problem with each mode other than bridge, as drivers/net/macvlan.c
 * implements the modes. The kernel passes frames directly between two
 * macvlans on one parent only when both are in bridge mode, Docker's default.
 */
const MODE_PROBLEMS: Readonly<Record<NonBridgeMode, string>> = {
  private:
    'keeps the shim from exchanging frames with the other macvlans on its parent, even through a switch in hairpin mode, so the host cannot reach the containers',
  vepa:
    'sends frames for the containers on the same parent out to the switch, so the host reaches them only if the switch port sends frames back where they came from (hairpin mode)',
  passthru:
    "gives the whole parent to the shim, so the kernel rejects the shim while the parent has other macvlans such as Docker's containers, and rejects new containers while the shim exists",
};

/** A valid `mac` value with the address in lower case. */
export interface MacItem {
  item: CheckedString;
  mac: string;
}

/** One shim after its checks, kept for the checks across shims. */
export interface ShimDraft {
  /** The `name` value, when it is a valid interface name. */
  name?: CheckedString;
  /** The `parent` value, when it is a valid interface name. */
  parent?: CheckedString;
  addresses: BlockItem[];
  routes: BlockItem[];
  mac?: MacItem;
  /** Present when the shim's required keys are valid. */
  config?: ShimConfig;
}

export function readShim(
  collector: IssueCollector,
  shim: CheckedMapping,
): ShimDraft {
  const name = readInterfaceName(collector, stringField(shim, 'name'));
  const parent = readInterfaceName(collector, stringField(shim, 'parent'));
  if (name !== undefined) {
    checkNamePattern(collector, name);
  }
  if (name !== undefined && parent !== undefined) {
    checkParentIsNotSelf(collector, name, parent);
  }
  const addresses = readShimAddresses(collector, listField(shim, 'addresses'));
  const routes = readShimRoutes(collector, listField(shim, 'routes'));
  checkMode(collector, shim);
  checkSomethingRouted(collector, shim);
  checkIpv6Mtu(collector, shim, [...addresses, ...routes]);

  const dockerMapping = mappingField(shim, 'docker');
  const docker = dockerMapping && readDocker(collector, dockerMapping);
  if (docker !== undefined && name !== undefined) {
    const routing = { name: name.value, addresses, routes };
    checkShimAgainstDocker(collector, routing, docker);
  }
  const macItem = stringField(shim, 'mac');
  const mac = macItem && readMac(collector, macItem);
  const draft: ShimDraft = { name, parent, addresses, routes };
  if (macItem !== undefined && mac !== undefined) {
    draft.mac = { item: macItem, mac };
  }
  if (name === undefined || parent === undefined) {
    return draft;
  }
  const parts = { addresses, routes, mac, docker };
  draft.config = buildShimConfig(shim, name, parent, parts);
  return draft;
}

function readInterfaceName(
  collector: IssueCollector,
  item: CheckedString | undefined,
): CheckedString | undefined {
  if (item === undefined || !checkInterfaceName(collector, item)) {
    return undefined;
  }
  return item;
}

function checkParentIsNotSelf(
  collector: IssueCollector,
  name: CheckedString,
  parent: CheckedString,
): void {
  if (name.value !== parent.value) {
    return;
  }
  collector.error(
    'invalid-value',
    parent,
    `${parent.path} ${quote(parent.value)} is the shim's own name; the parent is the existing interface of the Docker network, such as 'eth0'`,
    parent.value,
  );
}

/** Warns about a mode in which the host cannot reach the containers. */
function checkMode(collector: IssueCollector, shim: CheckedMapping): void {
  const mode = stringField(shim, 'mode');
  if (mode === undefined || !isOneOf(MACVLAN_MODES, mode.value)) {
    return;
  }
  if (mode.value === 'bridge') {
    return;
  }
  collector.warn(
    'invalid-value',
    mode,
    `${mode.path} ${quote(mode.value)} ${MODE_PROBLEMS[mode.value]}; use 'bridge'`,
    mode.value,
  );
}

function checkSomethingRouted(
  collector: IssueCollector,
  shim: CheckedMapping,
): void {
  // An invalid list already has its own error, so a warning would be noise.
  const listed = (key: string): boolean =>
    shim.present.has(key) && (listField(shim, key)?.entryCount ?? 1) > 0;
  if (listed('addresses') || listed('routes')) {
    return;
  }
  const name = stringField(shim, 'name')?.value ?? '';
  collector.warn(
    'nothing-routed',
    shim,
    `shim ${quote(name)} has no addresses and no routes, so no traffic would go through it; add its address in the Docker network (addresses) or the containers' block (routes)`,
  );
}

function checkIpv6Mtu(
  collector: IssueCollector,
  shim: CheckedMapping,
  blocks: BlockItem[],
): void {
  const mtu = integerField(shim, 'mtu');
  const ipv6 = blocks.find(({ block }) => block.address.family === 6);
  if (mtu === undefined || ipv6 === undefined || mtu.value >= IPV6_MIN_MTU) {
    return;
  }
  collector.error(
    'mtu-out-of-range',
    mtu,
    `${mtu.path} is ${mtu.raw}, but ${ipv6.item.path} ${quote(ipv6.item.value)} is IPv6, which needs an MTU of at least ${IPV6_MIN_MTU}; raise the MTU or remove the IPv6 entries`,
    mtu.raw,
  );
}

interface ShimParts {
  addresses: BlockItem[];
  routes: BlockItem[];
  mac: string | undefined;
  docker: DockerDraft | undefined;
}

function buildShimConfig(
  shim: CheckedMapping,
  name: CheckedString,
  parent: CheckedString,
  parts: ShimParts,
): ShimConfig {
  const modeText = stringField(shim, 'mode')?.value ?? DEFAULT_MODE;
  const config: ShimConfig = {
    name: name.value,
    parent: parent.value,
    mode: isOneOf(MACVLAN_MODES, modeText) ? modeText : DEFAULT_MODE,
    promisc: booleanField(shim, 'promisc')?.value ?? DEFAULT_PROMISC,
    addresses: parts.addresses.map(({ block }) => toPrefix(block)),
    routes: parts.routes.map(({ block }) => toPrefix(block)),
  };
  const mtu = integerField(shim, 'mtu')?.value;
  if (mtu !== undefined) {
    config.mtu = mtu;
  }
  if (parts.mac !== undefined) {
    config.mac = parts.mac;
  }
  if (parts.docker !== undefined) {
    config.docker = toDockerNetwork(parts.docker);
  }
  return config;
}
