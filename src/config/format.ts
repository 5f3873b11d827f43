import type { ConfigIssue } from './types';

/**
 * Formats an issue as one line in the compiler style that editors and CI
 * annotate: `FILE:LINE:COLUMN: error: MESSAGE`. Issues about the whole file
 * (line 0) have no position: `FILE: error: MESSAGE`.
 */
export function formatIssue(issue: ConfigIssue): string {
  const position = issue.line > 0 ? `:${issue.line}:${issue.column}` : '';
  const message = issue.message.replace(/[\r\n]+/g, ' ');
  return `${issue.file}${position}: ${issue.severity}: ${message}`;
}
