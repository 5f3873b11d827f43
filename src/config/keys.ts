import type { ConfigIssueCode } from './types';

/*
 * The key table: every key the config file may contain, with its type,
 * bounds, default and description. The structural checks (unknown, missing
 * and mistyped keys) and the JSON Schema are both generated from it, so the
 * two cannot disagree about which keys exist.
 */

/** The check that a string value gets after its type is known. */
export type StringFormat = 'interface-name' | 'cidr' | 'address' | 'mac';

interface SpecBase {
  description: string;
}

export interface StringSpec extends SpecBase {
  type: 'string';
  format: StringFormat;
}

export interface EnumSpec extends SpecBase {
  type: 'enum';
  values: readonly string[];
  default: string;
}

export interface BooleanSpec extends SpecBase {
  type: 'boolean';
  default: boolean;
}

export interface IntegerSpec extends SpecBase {
  type: 'integer';
  minimum: number;
  maximum: number;
  default?: number;
  /** The issue code for a whole number outside minimum..maximum. */
  rangeCode: ConfigIssueCode;
}

export interface ListSpec extends SpecBase {
  type: 'list';
  items: ValueSpec;
  minItems: number;
  /** Also accept a mapping from names to items, like Docker's aux addresses. */
  allowNamedMapping?: boolean;
}

export interface MappingSpec extends SpecBase {
  type: 'mapping';
  keys: Readonly<Record<string, ValueSpec>>;
  required: readonly string[];
}

export type ValueSpec =
  | StringSpec
  | EnumSpec
  | BooleanSpec
  | IntegerSpec
  | ListSpec
  | MappingSpec;

/** Colon-separated MAC address, shared by the validator and the schema. */
export const MAC_PATTERN = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

export const MACVLAN_MODES = ['bridge', 'private', 'vepa', 'passthru'] as const;

export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_RESYNC_SECONDS = 300;
export const DEFAULT_MODE = 'bridge';
export const DEFAULT_PROMISC = true;

/** Returns whether a value is one of the allowed strings (a type guard). */
export function isOneOf<T extends string>(
  values: readonly T[],
  value: string,
): value is T {
  return (values as readonly string[]).includes(value);
}

/**
 * Largest resync interval in seconds. Node's setTimeout fires at once for
 * delays above 2^31-1 ms (about 24.8 days), so a longer interval would turn
 * into a busy loop.
 */
export const MAX_RESYNC_SECONDS = 2147483;

const DOCKER_SPEC: MappingSpec = {
  type: 'mapping',
  description:
    'The Docker macvlan network that this shim serves, as declared to Docker. Used only for checks.',
  required: ['subnet'],
  keys: {
    subnet: {
      type: 'string',
      format: 'cidr',
      description: "The network's --subnet, such as 192.168.124.0/24.",
    },
    gateway: {
      type: 'string',
      format: 'address',
      description:
        "The network's --gateway. Without it Docker reserves the first address of the subnet.",
    },
    ip_range: {
      type: 'string',
      format: 'cidr',
      description:
        "The network's --ip-range, the block Docker assigns container addresses from.",
    },
    aux_addresses: {
      type: 'list',
      minItems: 0,
      allowNamedMapping: true,
      description:
        "Addresses reserved with --aux-address, as a list or as Docker's mapping from names to addresses.",
      items: {
        type: 'string',
        format: 'address',
        description: 'A reserved address.',
      },
    },
    containers: {
      type: 'list',
      minItems: 0,
      description:
        'Fixed container addresses (docker run --ip) that the host must reach.',
      items: {
        type: 'string',
        format: 'address',
        description: 'A container address.',
      },
    },
  },
};

const PREFIX_LIST_ITEM: StringSpec = {
  type: 'string',
  format: 'cidr',
  description: 'An IPv4 or IPv6 prefix with its length.',
};

export const SHIM_SPEC: MappingSpec = {
  type: 'mapping',
  description: 'One macvlan shim interface on the host.',
  required: ['name', 'parent'],
  keys: {
    name: {
      type: 'string',
      format: 'interface-name',
      description: 'Name of the macvlan interface to create (at most 15 bytes).',
    },
    parent: {
      type: 'string',
      format: 'interface-name',
      description:
        'The interface the Docker macvlan network uses as its parent.',
    },
    mode: {
      type: 'enum',
      values: MACVLAN_MODES,
      default: DEFAULT_MODE,
      description:
        'Macvlan mode. In bridge mode the shim reaches macvlan containers on the same parent directly.',
    },
    promisc: {
      type: 'boolean',
      default: DEFAULT_PROMISC,
      description: 'Put the parent into promiscuous mode.',
    },
    addresses: {
      type: 'list',
      minItems: 0,
      items: PREFIX_LIST_ITEM,
      description:
        'Addresses with prefix length to put on the shim; each prefix gets a connected route.',
    },
    routes: {
      type: 'list',
      minItems: 0,
      items: PREFIX_LIST_ITEM,
      description: 'Extra prefixes routed through the shim.',
    },
    mtu: {
      type: 'integer',
      minimum: 68,
      maximum: 65535,
      rangeCode: 'mtu-out-of-range',
      description:
        "MTU of the shim; IPv6 needs at least 1280. Absent means the parent's MTU.",
    },
    mac: {
      type: 'string',
      format: 'mac',
      description:
        'Fixed MAC address; absent means one derived from /etc/machine-id.',
    },
    docker: DOCKER_SPEC,
  },
};

export const CONFIG_SPEC: MappingSpec = {
  type: 'mapping',
  description: 'macvlan-shim configuration.',
  required: ['shims'],
  keys: {
    log: {
      type: 'mapping',
      description: 'Logging settings.',
      required: [],
      keys: {
        level: {
          type: 'enum',
          values: LOG_LEVELS,
          default: DEFAULT_LOG_LEVEL,
          description: 'Lowest level that is logged.',
        },
      },
    },
    resync: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_RESYNC_SECONDS,
      default: DEFAULT_RESYNC_SECONDS,
      rangeCode: 'invalid-value',
      description:
        'Seconds between full resyncs with the kernel; 0 turns them off.',
    },
    shims: {
      type: 'list',
      minItems: 1,
      items: SHIM_SPEC,
      description: 'The shims to keep alive.',
    },
  },
};
