import type { MacvlanMode } from '../config/types';

/** The kernel's report on one network interface. */
export interface LinkState {
  index: number;
  name: string;
  /** IFLA_INFO_KIND, such as `macvlan`, `veth` or `bridge`; absent for plain NICs. */
  kind?: string;
  /** IFLA_LINK: the lower device of a stacked link such as a macvlan. */
  parentIndex?: number;
  /** Set only for macvlan links; `unknown` covers modes we never create. */
  macvlanMode?: MacvlanMode | 'source' | 'unknown';
  /** Lower-case, colon-separated. */
  mac: string;
  mtu: number;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_PROMISC as set by user space (not the kernel's internal counter). */
  promisc: boolean;
  /** IFF_LOWER_UP: the device has carrier. */
  lowerUp: boolean;
  alias?: string;
  /** IFLA_MASTER: the bridge or bond this device is enslaved to. */
  masterIndex?: number;
  /** Alternative names (`ip link property add dev NAME altname ALT`). */
  altNames?: string[];
  /** The per-device sysctls the daemon sets, read from IFLA_AF_SPEC. */
  conf?: DeviceConf;
}

/**
 * Per-device IPv4 and IPv6 settings. A family's fields are absent when the
 * device has no such configuration, as for IPv6 while its MTU is below 1280.
 */
export interface DeviceConf {
  arpNotify?: number;
  promoteSecondaries?: number;
  acceptRa?: number;
  autoconf?: number;
  ndiscNotify?: number;
}

/** One address on an interface (RTM_NEWADDR). */
export interface AddressState {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
  /** RT_SCOPE_*: 0 universe, 253 link, 254 host. */
  scope: number;
}

/** One route in the main table that leaves through a single interface. */
export interface RouteState {
  index: number;
  family: 4 | 6;
  destination: string;
  prefixLength: number;
  protocol: number;
  table: number;
  gateway?: string;
}

/** A full dump of the kernel objects the reconciler compares against. */
export interface KernelSnapshot {
  links: LinkState[];
  addresses: AddressState[];
  routes: RouteState[];
}

export interface MacvlanSpec {
  name: string;
  parentIndex: number;
  mode: MacvlanMode;
  mac?: string;
  mtu?: number;
}

export interface AddressSpec {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
}

export interface RouteSpec {
  index: number;
  family: 4 | 6;
  destination: string;
  prefixLength: number;
}
