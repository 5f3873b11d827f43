import type { Location } from './issues';

/*
 * The document after the structural checks: only known keys, and only values
 * of the type the key table requires. Each value keeps its location and its
 * text as written, for the semantic checks that follow.
 */

interface CheckedBase extends Location {
  /** The value as written in the file. */
  raw: string;
}

export interface CheckedString extends CheckedBase {
  kind: 'string';
  value: string;
}

export interface CheckedBoolean extends CheckedBase {
  kind: 'boolean';
  value: boolean;
}

export interface CheckedInteger extends CheckedBase {
  kind: 'integer';
  value: number;
}

export interface CheckedList extends CheckedBase {
  kind: 'list';
  /** Items that passed the checks. Their paths keep the original indexes. */
  items: Checked[];
  /** Number of entries in the file, including those that failed the checks. */
  entryCount: number;
}

export interface CheckedMapping extends CheckedBase {
  kind: 'mapping';
  /** Known keys whose values passed the checks. */
  fields: Map<string, Checked>;
  /** Every known key present in the file, valid or not. */
  present: Set<string>;
}

export type Checked =
  | CheckedString
  | CheckedBoolean
  | CheckedInteger
  | CheckedList
  | CheckedMapping;

export function stringField(
  mapping: CheckedMapping,
  key: string,
): CheckedString | undefined {
  const field = mapping.fields.get(key);
  return field?.kind === 'string' ? field : undefined;
}

export function booleanField(
  mapping: CheckedMapping,
  key: string,
): CheckedBoolean | undefined {
  const field = mapping.fields.get(key);
  return field?.kind === 'boolean' ? field : undefined;
}

export function integerField(
  mapping: CheckedMapping,
  key: string,
): CheckedInteger | undefined {
  const field = mapping.fields.get(key);
  return field?.kind === 'integer' ? field : undefined;
}

export function listField(
  mapping: CheckedMapping,
  key: string,
): CheckedList | undefined {
  const field = mapping.fields.get(key);
  return field?.kind === 'list' ? field : undefined;
}

export function mappingField(
  mapping: CheckedMapping,
  key: string,
): CheckedMapping | undefined {
  const field = mapping.fields.get(key);
  return field?.kind === 'mapping' ? field : undefined;
}

/** Returns the string items of a list, the only kind a string list keeps. */
export function stringItems(list: CheckedList | undefined): CheckedString[] {
  if (list === undefined) {
    return [];
  }
  return list.items.filter(
    (item): item is CheckedString => item.kind === 'string',
  );
}

/** Returns the mapping items of a list. */
export function mappingItems(list: CheckedList | undefined): CheckedMapping[] {
  if (list === undefined) {
    return [];
  }
  return list.items.filter(
    (item): item is CheckedMapping => item.kind === 'mapping',
  );
}
