/** Macvlan modes the daemon can create (IFLA_MACVLAN_MODE). */
export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** An IPv4 or IPv6 prefix such as 192.168.124.190/27, in canonical form. */
export interface Prefix {
  family: 4 | 6;
  /** The address part in canonical text form (IPv6 compressed, lower case). */
  address: string;
  prefixLength: number;
  /** `${address}/${prefixLength}`, used as a stable key and in messages. */
  text: string;
}

/** The Docker macvlan network that a shim serves, as declared in the config. */
export interface DockerNetwork {
  subnet?: Prefix;
  gateway?: string;
  ipRange?: Prefix;
  auxAddresses: string[];
  containers: string[];
}

/** One shim as configured: everything the daemon needs to build it. */
export interface ShimConfig {
  name: string;
  parent: string;
  mode: MacvlanMode;
  promisc: boolean;
  addresses: Prefix[];
  routes: Prefix[];
  mtu?: number;
  /** Lower-case, colon-separated; absent means "derive from machine-id". */
  mac?: string;
  docker?: DockerNetwork;
}

export interface Config {
  log: { level: LogLevel };
  /** Seconds between full resyncs; 0 turns the periodic resync off. */
  resyncSeconds: number;
  shims: ShimConfig[];
}

export type ConfigIssueCode =
  | 'yaml-syntax'
  | 'not-a-mapping'
  | 'not-a-list'
  | 'unknown-key'
  | 'missing-key'
  | 'invalid-type'
  | 'invalid-value'
  | 'invalid-name'
  | 'duplicate-name'
  | 'invalid-cidr'
  | 'non-unicast'
  | 'network-address'
  | 'broadcast-address'
  | 'host-bits-set'
  | 'invalid-mac'
  | 'mtu-out-of-range'
  | 'lockout-risk'
  | 'docker-conflict'
  | 'not-covered'
  | 'name-pattern'
  | 'file-permissions'
  | 'file-unreadable'
  | 'duplicate-key'
  | 'duplicate-entry'
  | 'invalid-address'
  | 'outside-subnet'
  | 'unreserved-address'
  | 'nothing-routed'
  | 'too-large'
  | 'too-complex';

/** One problem found in a config file, with its position. */
export interface ConfigIssue {
  severity: 'error' | 'warning';
  code: ConfigIssueCode;
  /** Where in the document, for example `shims[1].addresses[0]`. */
  path: string;
  file: string;
  /** 1-based; 0 when the issue is about the whole file. */
  line: number;
  column: number;
  /** The offending value as written, when there is one. */
  value?: string;
  /** What is wrong and what would be valid, in one or two sentences. */
  message: string;
}

export interface ParseResult {
  /** Present only when there are no errors (warnings allowed). */
  config?: Config;
  issues: ConfigIssue[];
}
