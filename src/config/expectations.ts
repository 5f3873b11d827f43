import { isMap, isScalar, isSeq, type Node } from 'yaml';

import { quote } from './issues';
import type { ValueSpec } from './keys';

/*
 * Phrases for messages about the shape of a value: what the key table expects
 * and what the file contains instead.
 */

const FORMAT_EXAMPLES = {
  'interface-name': "an interface name such as 'eth0'",
  cidr: "an address with prefix length such as '192.168.1.10/24'",
  address: "an address without prefix length such as '192.168.1.10'",
  mac: "a MAC address such as '02:11:22:33:44:55'",
} as const;

/** Describes what a key accepts, as a noun phrase. */
export function describeExpected(spec: ValueSpec): string {
  switch (spec.type) {
    case 'string':
      return FORMAT_EXAMPLES[spec.format];
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `a whole number from ${spec.minimum} to ${spec.maximum}`;
    case 'list':
      return spec.allowNamedMapping === true
        ? 'a list of addresses or a mapping from names to addresses'
        : 'a list';
    case 'mapping':
      return `a mapping with the keys ${Object.keys(spec.keys).join(', ')}`;
  }
}

/** Describes a YAML node's type and value, as a noun phrase. */
export function describeActual(node: Node, raw: string): string {
  if (isMap(node)) {
    return 'a mapping';
  }
  if (isSeq(node)) {
    return 'a list';
  }
  if (isScalar(node)) {
    return describeScalar(node.value, raw);
  }
  return quote(raw);
}

function describeScalar(value: unknown, raw: string): string {
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
    case 'bigint':
      return `the number ${quote(raw)}`;
    case 'boolean':
      return `the boolean ${quote(raw)}`;
    default:
      return quote(raw);
  }
}

/** Returns a short hint for a common type mix-up, or '' when none applies. */
export function typeHint(spec: ValueSpec, value: unknown): string {
  if (spec.type === 'integer' && typeof value === 'string') {
    return /^\s*-?\d+\s*$/.test(value) ? '; remove the quotes' : '';
  }
  if (spec.type === 'boolean' && typeof value === 'string') {
    // YAML 1.2 reads yes/no/on/off as strings, unlike YAML 1.1.
    return /^(y|yes|n|no|on|off)$/i.test(value)
      ? '; YAML 1.2 reads yes, no, on and off as strings'
      : '';
  }
  if (spec.type === 'string' || spec.type === 'enum') {
    return typeof value === 'number' || typeof value === 'boolean'
      ? '; put the value in quotes'
      : '';
  }
  return '';
}
