import type { ConfigIssue, ConfigIssueCode } from './types';

/** A place in the document: the key path and the 1-based line and column. */
export interface Location {
  path: string;
  line: number;
  column: number;
}

/** The location used for problems that concern the whole file. */
export const WHOLE_FILE: Location = { path: '', line: 0, column: 0 };

const MAX_QUOTED_LENGTH = 60;

/**
 * Quotes a value for a one-line message: control characters are escaped and
 * long values are cut to 60 characters.
 */
export function quote(value: string): string {
  return `'${shorten(escapeControls(value))}'`;
}

/** Returns the value with control characters escaped, cut to 60 characters. */
export function shortValue(value: string): string {
  return shorten(escapeControls(value));
}

function escapeControls(value: string): string {
  // Escaping keeps every issue on one line, whatever the file contains.
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function shorten(value: string): string {
  if (value.length <= MAX_QUOTED_LENGTH) {
    return value;
  }
  return `${value.slice(0, MAX_QUOTED_LENGTH - 1)}…`;
}

/** Collects the issues of one file in the order they are found. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  constructor(readonly file: string) {}

  error(
    code: ConfigIssueCode,
    at: Location,
    message: string,
    value?: string,
  ): void {
    this.add('error', code, at, message, value);
  }

  warn(
    code: ConfigIssueCode,
    at: Location,
    message: string,
    value?: string,
  ): void {
    this.add('warning', code, at, message, value);
  }

  hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }

  private add(
    severity: ConfigIssue['severity'],
    code: ConfigIssueCode,
    at: Location,
    message: string,
    value: string | undefined,
  ): void {
    const issue: ConfigIssue = {
      severity,
      code,
      path: at.path,
      file: this.file,
      line: at.line,
      column: at.column,
      message,
    };
    if (value !== undefined) {
      issue.value = shortValue(value);
    }
    this.issues.push(issue);
  }
}

/** Sorts issues by position, so whole-file issues (line 0) come first. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Returns whether the issues must stop the config from being used: any error,
 * or with `strict` (as `macvlan-shim check --strict` sets) any warning too.
 */
export function hasBlockingIssues(
  issues: readonly ConfigIssue[],
  options: { strict?: boolean } = {},
): boolean {
  if (options.strict === true) {
    return issues.length > 0;
  }
  return issues.some((issue) => issue.severity === 'error');
}
