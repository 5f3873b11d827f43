import { isScalar, type Node, type Scalar } from 'yaml';

import type { Checked } from './checked';
import { describeActual, describeExpected, typeHint } from './expectations';
import { IssueCollector, quote, type Location } from './issues';
import type {
  EnumSpec,
  IntegerSpec,
  ListSpec,
  MappingSpec,
  ValueSpec,
} from './keys';
import { nearestWord } from './suggest';
import { sourceText, type YamlSource } from './yaml-source';

/*
 * Checks of single values against the key table: scalar types, allowed
 * values and integer bounds, and the reports for values of the wrong shape.
 */

export interface ReadContext {
  source: YamlSource;
  collector: IssueCollector;
  /**
   * Values that may still be read. Without aliases every value takes at
   * least one character, so the text length bounds the work. Aliases could
   * make it grow without limit (a "billion laughs" document).
   */
  remainingReads: number;
}

export function readScalar(
  context: ReadContext,
  node: Scalar,
  spec: Exclude<ValueSpec, ListSpec | MappingSpec>,
  at: Location,
): Checked | undefined {
  const raw = sourceText(context.source, node);
  const value = node.value;
  if (spec.type === 'boolean' && typeof value === 'boolean') {
    return { kind: 'boolean', value, raw, ...at };
  }
  if (spec.type === 'integer' && typeof value === 'number') {
    return readInteger(context, value, raw, spec, at);
  }
  if (spec.type === 'enum' && typeof value === 'string') {
    return readEnum(context, value, raw, spec, at);
  }
  if (spec.type === 'string' && typeof value === 'string') {
    return { kind: 'string', value, raw, ...at };
  }
  return reportMismatch(context, node, spec, at);
}

function readInteger(
  context: ReadContext,
  value: number,
  raw: string,
  spec: IntegerSpec,
  at: Location,
): Checked | undefined {
  if (!Number.isInteger(value)) {
    context.collector.error(
      'invalid-value',
      at,
      `${describePath(at.path)} is ${quote(raw)}; expected ${describeExpected(spec)}`,
      raw,
    );
    return undefined;
  }
  if (value < spec.minimum || value > spec.maximum) {
    context.collector.error(
      spec.rangeCode,
      at,
      `${describePath(at.path)} is ${quote(raw)}, outside the range ${spec.minimum} to ${spec.maximum}`,
      raw,
    );
    return undefined;
  }
  return { kind: 'integer', value, raw, ...at };
}

function readEnum(
  context: ReadContext,
  value: string,
  raw: string,
  spec: EnumSpec,
  at: Location,
): Checked | undefined {
  if (spec.values.includes(value)) {
    return { kind: 'string', value, raw, ...at };
  }
  const nearest = nearestWord(value, spec.values);
  const hint =
    nearest === undefined ? '' : ` (did you mean ${quote(nearest)}?)`;
  context.collector.error(
    'invalid-value',
    at,
    `${describePath(at.path)} is ${quote(value)}; expected ${describeExpected(spec)}${hint}`,
    value,
  );
  return undefined;
}

export function reportMismatch(
  context: ReadContext,
  node: Node,
  spec: ValueSpec,
  at: Location,
): undefined {
  const raw = isScalar(node) ? sourceText(context.source, node) : '';
  const value = isScalar(node) ? node.value : undefined;
  context.collector.error(
    mismatchCode(spec),
    at,
    `${describePath(at.path)} must be ${describeExpected(spec)}, not ${describeActual(node, raw)}${typeHint(spec, value)}`,
    reportedValue(node, raw),
  );
  return undefined;
}

/** Returns a scalar's value for an issue: strings without their YAML quotes. */
function reportedValue(node: Node, raw: string): string | undefined {
  if (!isScalar(node)) {
    return undefined;
  }
  return typeof node.value === 'string' ? node.value : raw;
}

export function reportEmpty(
  context: ReadContext,
  spec: ValueSpec,
  at: Location,
): void {
  context.collector.error(
    mismatchCode(spec),
    at,
    `${describePath(at.path)} has no value; expected ${describeExpected(spec)}`,
  );
}

function mismatchCode(
  spec: ValueSpec,
): 'not-a-mapping' | 'not-a-list' | 'invalid-type' {
  if (spec.type === 'mapping') {
    return 'not-a-mapping';
  }
  return spec.type === 'list' ? 'not-a-list' : 'invalid-type';
}

/** Names a path in a message. The root has no path of its own. */
export function describePath(path: string): string {
  return path === '' ? 'the top level' : path;
}
