import {
  addressAfter,
  blockContains,
  blockText,
  shortSpan,
  type IpAddress,
  type IpBlock,
} from './ip';
import { IssueCollector, quote } from './issues';
import type { BlockItem } from './validate-address';
import type { AddressItem, DockerDraft } from './validate-docker';

/*
 * Checks of a shim against the Docker network it serves: the shim address
 * must not collide with an address Docker uses, should be reserved from
 * Docker's pool, and every fixed container address should be reachable.
 */

export interface ShimRouting {
  name: string;
  addresses: BlockItem[];
  routes: BlockItem[];
}

export function checkShimAgainstDocker(
  collector: IssueCollector,
  shim: ShimRouting,
  docker: DockerDraft,
): void {
  const subnet = docker.subnet;
  if (subnet === undefined) {
    return;
  }
  for (const entry of shim.addresses) {
    if (blockContains(subnet, entry.block.address)) {
      checkAgainstDockerAddresses(collector, entry, subnet, docker);
    }
  }
  for (const container of docker.containers) {
    checkContainerCovered(collector, container, shim);
  }
}

function checkAgainstDockerAddresses(
  collector: IssueCollector,
  { item, block }: BlockItem,
  subnet: IpBlock,
  docker: DockerDraft,
): void {
  const address = block.address;
  const conflict = dockerUseOf(address, subnet, docker);
  if (conflict !== undefined) {
    collector.error(
      'docker-conflict',
      item,
      `${item.path} ${quote(item.value)} is ${conflict}, so the shim and Docker would both claim it; give the shim a free address and reserve it in aux_addresses`,
      item.value,
    );
    return;
  }
  if (docker.auxAddresses.some((aux) => aux.address.value === address.value)) {
    return;
  }
  const pool = docker.ipRange ?? subnet;
  if (!blockContains(pool, address)) {
    return;
  }
  const poolName = docker.ipRange === undefined ? 'subnet' : 'ip_range';
  collector.warn(
    'unreserved-address',
    item,
    `${item.path} ${quote(item.value)} is inside Docker's ${poolName} ${blockText(pool)} (${shortSpan(pool)}) but not in docker.aux_addresses, so Docker can assign ${address.text} to a container; reserve it with docker network create --aux-address 'host=${address.text}' (compose: aux_addresses: { host: ${address.text} }) and list it under docker.aux_addresses`,
    item.value,
  );
}

/** Describes how Docker already uses the address, if it does. */
function dockerUseOf(
  address: IpAddress,
  subnet: IpBlock,
  docker: DockerDraft,
): string | undefined {
  if (docker.gateway !== undefined) {
    if (docker.gateway.address.value === address.value) {
      return "the Docker network's gateway";
    }
  } else if (subnet.last.value - subnet.first.value > 1n) {
    // Docker's default IPAM takes the first host address as the gateway when
    // none is given.
    const implicit = addressAfter(subnet.first, 1n);
    if (implicit.value === address.value) {
      return `the first address of the subnet ${blockText(subnet)}, which Docker takes as the gateway when none is given`;
    }
  }
  const container = docker.containers.find(
    (entry) => entry.address.value === address.value,
  );
  return container === undefined
    ? undefined
    : `the fixed container address ${container.item.path}`;
}

function checkContainerCovered(
  collector: IssueCollector,
  { item, address }: AddressItem,
  shim: ShimRouting,
): void {
  const blocks = [...shim.addresses, ...shim.routes].map(({ block }) => block);
  if (blocks.some((block) => blockContains(block, address))) {
    return;
  }
  const sameFamily = blocks.filter(
    (block) => block.address.family === address.family,
  );
  const spans = sameFamily.map(
    (block) => `${blockText(block)} (${shortSpan(block)})`,
  );
  const covered = spans.length === 0 ? 'none' : spans.join(', ');
  collector.warn(
    'not-covered',
    item,
    `${item.path} ${quote(item.value)} is not covered by any address prefix or route of shim ${quote(shim.name)} (covered: ${covered}), so the host would not reach it through the shim; add a route such as '${address.text}/${address.family === 4 ? 32 : 128}' or one that covers the ip_range`,
    item.value,
  );
}
