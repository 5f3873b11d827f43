import { IssueCollector, WHOLE_FILE, sortIssues } from './issues';
import { readConfigDocument } from './structure';
import type { Config, ParseResult } from './types';
import { buildConfig } from './validate-config';
import { parseYaml } from './yaml-source';

/**
 * Largest config accepted, in bytes. A shim with every key and comment, as
 * in config/example.yaml, takes about 3 KB, so real configs stay far below.
 * The limit bounds the time that parsing any input can take, because the
 * YAML parser is slowest on junk that gives an error for every character.
 */
export const MAX_CONFIG_BYTES = 128 * 1024;

/**
 * Parses and checks a config file's text. Never throws: every problem is
 * returned as an issue, and `config` is present only when none is an error.
 * `file` is used only to label the issues.
 */
export function parseConfig(text: string, file: string): ParseResult {
  const collector = new IssueCollector(file);
  const config = parseInto(collector, text);
  const issues = sortIssues(collector.issues);
  return config === undefined || collector.hasErrors()
    ? { issues }
    : { config, issues };
}

function parseInto(
  collector: IssueCollector,
  text: string,
): Config | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    collector.error(
      'too-large',
      WHOLE_FILE,
      `the file is ${bytes} bytes, more than the ${MAX_CONFIG_BYTES} bytes a config may have; check that this is the right file`,
    );
    return undefined;
  }
  const source = parseYaml(text, collector);
  if (source === undefined) {
    return undefined;
  }
  const root = readConfigDocument(source, collector);
  return root === undefined ? undefined : buildConfig(collector, root);
}
