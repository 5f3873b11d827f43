import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Alias,
  type Node,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

import type { Checked, CheckedList, CheckedMapping } from './checked';
import { describeExpected } from './expectations';
import {
  IssueCollector,
  WHOLE_FILE,
  quote,
  shortValue,
  type Location,
} from './issues';
import {
  CONFIG_SPEC,
  type ListSpec,
  type MappingSpec,
  type ValueSpec,
} from './keys';
import { nearestWord } from './suggest';
import {
  describePath,
  readScalar,
  reportEmpty,
  reportMismatch,
  type ReadContext,
} from './structure-values';
import {
  locate,
  resolveAlias,
  sourceText,
  type YamlSource,
} from './yaml-source';

/*
 * Structural checks driven by the key table: unknown and missing keys, value
 * types, allowed values and integer bounds. Semantic checks come later and
 * work on the checked tree that this returns.
 */

/** Room for small documents whose few aliases read more values than chars. */
const EXTRA_READS = 10_000;

/** Checks the document against the key table and returns the checked root. */
export function readConfigDocument(
  source: YamlSource,
  collector: IssueCollector,
): CheckedMapping | undefined {
  const context: ReadContext = {
    source,
    collector,
    remainingReads: source.text.length + EXTRA_READS,
  };
  const root = source.document.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    collector.error(
      'missing-key',
      { ...WHOLE_FILE, path: 'shims' },
      "the file contains no settings; a config needs at least a 'shims' list",
    );
    return undefined;
  }
  const checked = readValue(context, root, CONFIG_SPEC, WHOLE_FILE);
  return checked?.kind === 'mapping' ? checked : undefined;
}

function readValue(
  context: ReadContext,
  input: unknown,
  spec: ValueSpec,
  fallback: Location,
): Checked | undefined {
  const at = isNode(input)
    ? locate(context.source, input, fallback.path)
    : fallback;
  if (!spendRead(context, at)) {
    return undefined;
  }
  const node = isAlias(input) ? resolveAliasAt(context, input, at) : input;
  if (node === undefined) {
    return undefined;
  }
  if (!isNode(node) || (isScalar(node) && node.value === null)) {
    reportEmpty(context, spec, at);
    return undefined;
  }
  if (spec.type === 'mapping') {
    return isMap(node)
      ? readMapping(context, node, spec, at)
      : reportMismatch(context, node, spec, at);
  }
  if (spec.type === 'list') {
    return readList(context, node, spec, at);
  }
  return isScalar(node)
    ? readScalar(context, node, spec, at)
    : reportMismatch(context, node, spec, at);
}

function spendRead(context: ReadContext, at: Location): boolean {
  if (context.remainingReads > 0) {
    context.remainingReads -= 1;
    return true;
  }
  if (context.remainingReads === 0) {
    context.remainingReads = -1;
    context.collector.error(
      'too-complex',
      at,
      'aliases expand the document to more values than its size allows; write the repeated parts out or use fewer aliases',
    );
  }
  return false;
}

function resolveAliasAt(
  context: ReadContext,
  alias: Alias,
  at: Location,
): Node | undefined {
  const target = resolveAlias(context.source, alias);
  if (target === undefined) {
    context.collector.error(
      'yaml-syntax',
      at,
      `alias ${quote(`*${alias.source}`)} refers to no anchor defined before it; define '&${shortValue(alias.source)}' first`,
    );
  }
  return target;
}

function readMapping(
  context: ReadContext,
  node: YAMLMap,
  spec: MappingSpec,
  at: Location,
): CheckedMapping {
  const fields = new Map<string, Checked>();
  const seen = new Set<string>();
  const firstKeys = new Map<string, Location>();
  for (const pair of node.items) {
    const key = keyText(context, pair.key);
    const keyPath = childPath(at.path, key);
    const keyAt = locate(context.source, keyNode(pair.key, node), keyPath);
    if (isDuplicateKey(context, firstKeys, key, keyAt)) {
      continue;
    }
    if (!Object.hasOwn(spec.keys, key)) {
      reportUnknownKey(context, key, spec, keyAt, at.path);
      continue;
    }
    seen.add(key);
    const value = readValue(context, pair.value, spec.keys[key], keyAt);
    if (value !== undefined) {
      fields.set(key, value);
    }
  }
  for (const key of spec.required) {
    if (!seen.has(key)) {
      context.collector.error(
        'missing-key',
        { ...at, path: childPath(at.path, key) },
        `missing key ${quote(key)} in ${describePath(at.path)}; expected ${describeExpected(spec.keys[key])}`,
      );
    }
  }
  return { kind: 'mapping', fields, present: seen, raw: '', ...at };
}

function readList(
  context: ReadContext,
  node: Node,
  spec: ListSpec,
  at: Location,
): CheckedList | undefined {
  let items: (Checked | undefined)[];
  if (isSeq(node)) {
    items = readSequenceItems(context, node, spec, at);
  } else if (spec.allowNamedMapping === true && isMap(node)) {
    items = readNamedItems(context, node, spec, at);
  } else {
    return reportMismatch(context, node, spec, at);
  }
  if (items.length < spec.minItems) {
    context.collector.error(
      'not-a-list',
      at,
      `${describePath(at.path)} is an empty list; it needs at least ${spec.minItems} ${spec.minItems === 1 ? 'entry' : 'entries'}`,
    );
  }
  const checked = items.filter((item): item is Checked => item !== undefined);
  return {
    kind: 'list',
    items: checked,
    entryCount: items.length,
    raw: '',
    ...at,
  };
}

function readSequenceItems(
  context: ReadContext,
  node: YAMLSeq,
  spec: ListSpec,
  at: Location,
): (Checked | undefined)[] {
  return node.items.map((item, index) =>
    readValue(context, item, spec.items, {
      ...at,
      path: `${at.path}[${index}]`,
    }),
  );
}

/** Reads a mapping from names to items, such as Docker's aux addresses. */
function readNamedItems(
  context: ReadContext,
  node: YAMLMap,
  spec: ListSpec,
  at: Location,
): (Checked | undefined)[] {
  const firstKeys = new Map<string, Location>();
  const items: (Checked | undefined)[] = [];
  for (const pair of node.items) {
    const name = keyText(context, pair.key);
    const namePath = childPath(at.path, name);
    const nameAt = locate(context.source, keyNode(pair.key, node), namePath);
    if (!isDuplicateKey(context, firstKeys, name, nameAt)) {
      items.push(readValue(context, pair.value, spec.items, nameAt));
    }
  }
  return items;
}

/**
 * Reports a key that the mapping already had. The YAML parser's own check
 * is turned off, because it compares every pair with every other one, which
 * takes minutes on a mapping with tens of thousands of keys.
 */
function isDuplicateKey(
  context: ReadContext,
  firstKeys: Map<string, Location>,
  key: string,
  at: Location,
): boolean {
  const first = firstKeys.get(key);
  if (first === undefined) {
    firstKeys.set(key, at);
    return false;
  }
  context.collector.error(
    'duplicate-key',
    at,
    `duplicate key ${quote(key)}, first set on line ${first.line}; keep only one`,
    key,
  );
  return true;
}

function reportUnknownKey(
  context: ReadContext,
  key: string,
  spec: MappingSpec,
  at: Location,
  parentPath: string,
): void {
  const known = Object.keys(spec.keys);
  const nearest = nearestWord(key, known);
  let hint = `valid keys are ${known.join(', ')}`;
  if (key === '<<') {
    hint = `YAML merge keys are not supported, so write the keys out; ${hint}`;
  } else if (nearest !== undefined) {
    hint = `did you mean ${quote(nearest)}?`;
  }
  context.collector.error(
    'unknown-key',
    at,
    `unknown key ${quote(key)} in ${describePath(parentPath)}; ${hint}`,
    key,
  );
}

function keyText(context: ReadContext, key: unknown): string {
  if (isScalar(key)) {
    return key.value === null ? '' : String(key.value);
  }
  return isNode(key) ? sourceText(context.source, key) : '';
}

function keyNode(key: unknown, parent: Node): Node {
  return isNode(key) ? key : parent;
}

/** Appends a key to a path: `shims[0]` + `mtu` gives `shims[0].mtu`. */
function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
    return `${parent}[${JSON.stringify(shortValue(key))}]`;
  }
  return parent === '' ? key : `${parent}.${key}`;
}
