import {
  listField,
  stringField,
  stringItems,
  type CheckedMapping,
  type CheckedString,
} from './checked';
import {
  blockContains,
  blockInside,
  blockText,
  isNetworkAligned,
  networkOf,
  parseAddress,
  shortSpan,
  toPrefix,
  type IpAddress,
  type IpBlock,
} from './ip';
import { IssueCollector, quote } from './issues';
import type { DockerNetwork } from './types';
import { readBlock } from './validate-address';

/*
 * Checks of a shim's `docker` block on its own: the subnet and ip_range are
 * network prefixes, and every address lies inside the subnet.
 */

/** A checked list item together with the address it parsed to. */
export interface AddressItem {
  item: CheckedString;
  address: IpAddress;
}

/** The docker block after its checks, kept for the checks against the shim. */
export interface DockerDraft {
  subnet?: IpBlock;
  ipRange?: IpBlock;
  gateway?: AddressItem;
  auxAddresses: AddressItem[];
  containers: AddressItem[];
}

export function readDocker(
  collector: IssueCollector,
  docker: CheckedMapping,
): DockerDraft {
  const subnet = readNetwork(collector, stringField(docker, 'subnet'));
  const ipRangeItem = stringField(docker, 'ip_range');
  const ipRange = readIpRange(collector, ipRangeItem, subnet);
  const gatewayItem = stringField(docker, 'gateway');
  const gateway =
    gatewayItem && readAddressItem(collector, gatewayItem, subnet);
  return {
    subnet,
    ipRange,
    gateway,
    auxAddresses: readAddressList(collector, docker, 'aux_addresses', subnet),
    containers: readAddressList(collector, docker, 'containers', subnet),
  };
}

/** Converts the draft to the contract's type. */
export function toDockerNetwork(draft: DockerDraft): DockerNetwork {
  return {
    subnet: draft.subnet && toPrefix(draft.subnet),
    gateway: draft.gateway?.address.text,
    ipRange: draft.ipRange && toPrefix(draft.ipRange),
    auxAddresses: draft.auxAddresses.map(({ address }) => address.text),
    containers: draft.containers.map(({ address }) => address.text),
  };
}

/** Reads a subnet or ip_range, which Docker rejects with host bits set. */
function readNetwork(
  collector: IssueCollector,
  item: CheckedString | undefined,
): IpBlock | undefined {
  if (item === undefined) {
    return undefined;
  }
  const block = readBlock(collector, item);
  if (block === undefined || isNetworkAligned(block)) {
    return block;
  }
  const network = networkOf(block);
  collector.error(
    'host-bits-set',
    item,
    `${item.path} ${quote(item.value)} has host bits set, which Docker rejects; the network it falls in is ${blockText(network)} (${shortSpan(network)}), so write ${quote(blockText(network))}`,
    item.value,
  );
  return undefined;
}

/** Reads the ip_range, which must lie inside the subnet when both are valid. */
function readIpRange(
  collector: IssueCollector,
  item: CheckedString | undefined,
  subnet: IpBlock | undefined,
): IpBlock | undefined {
  const ipRange = readNetwork(collector, item);
  if (item === undefined || ipRange === undefined || subnet === undefined) {
    return ipRange;
  }
  if (blockInside(ipRange, subnet)) {
    return ipRange;
  }
  collector.error(
    'outside-subnet',
    item,
    `${item.path} ${quote(item.value)} is not inside the subnet ${blockText(subnet)} (${shortSpan(subnet)}); Docker needs the ip_range within the subnet`,
    item.value,
  );
  return undefined;
}

function readAddressList(
  collector: IssueCollector,
  docker: CheckedMapping,
  key: 'aux_addresses' | 'containers',
  subnet: IpBlock | undefined,
): AddressItem[] {
  const accepted: AddressItem[] = [];
  const seen = new Map<bigint, CheckedString>();
  for (const item of stringItems(listField(docker, key))) {
    const parsed = readAddressItem(collector, item, subnet);
    if (parsed === undefined) {
      continue;
    }
    const earlier = seen.get(parsed.address.value);
    if (earlier !== undefined) {
      collector.error(
        'duplicate-entry',
        item,
        `${item.path} ${quote(item.value)} repeats ${earlier.path} (line ${earlier.line}); remove one of them`,
        item.value,
      );
      continue;
    }
    seen.set(parsed.address.value, item);
    accepted.push(parsed);
  }
  return accepted;
}

/** Reads a plain address (no prefix length) that must lie in the subnet. */
function readAddressItem(
  collector: IssueCollector,
  item: CheckedString,
  subnet: IpBlock | undefined,
): AddressItem | undefined {
  const address = parseAddress(item.value);
  if (address === undefined) {
    const hint = item.value.includes('/')
      ? 'write it without a prefix length'
      : "use an IPv4 or IPv6 address such as '192.168.1.10'";
    collector.error(
      'invalid-address',
      item,
      `${item.path} ${quote(item.value)} is not a plain IP address; ${hint}`,
      item.value,
    );
    return undefined;
  }
  if (subnet !== undefined && !blockContains(subnet, address)) {
    collector.error(
      'outside-subnet',
      item,
      `${item.path} ${quote(item.value)} is not inside the subnet ${blockText(subnet)} (${shortSpan(subnet)}); use an address of the subnet`,
      item.value,
    );
    return undefined;
  }
  return { item, address };
}
