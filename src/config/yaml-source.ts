import {
  Document,
  LineCounter,
  isMap,
  isNode,
  isSeq,
  parseDocument,
  type Alias,
  type Node,
  type YAMLError,
} from 'yaml';

import { IssueCollector, type Location } from './issues';

/** A parsed YAML document together with what is needed to locate its nodes. */
export interface YamlSource {
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** Anchored nodes by anchor name in document order, built on first use. */
  anchors?: Map<string, Node[]>;
}

/**
 * Parses the text as one YAML 1.2 document and reports its syntax errors and
 * warnings. Returns undefined when the document has errors, because checking
 * a partly parsed tree would only add misleading follow-up issues.
 */
export function parseYaml(
  text: string,
  collector: IssueCollector,
): YamlSource | undefined {
  const lineCounter = new LineCounter();
  const document = parseWithoutStackTraces(text, lineCounter);
  const source: YamlSource = { text, document, lineCounter };

  reportYamlProblems(source, document.errors, collector);
  reportYamlProblems(source, document.warnings, collector);
  return document.errors.length > 0 ? undefined : source;
}

/**
 * Runs the YAML parser with stack capture turned off. The parser creates an
 * Error for each problem, and junk input can give one per character. Under
 * the unit tests (tap with ts-node), 128 KiB of '[]' pairs took about 5 s
 * with stack capture and under 1 s without. The stacks are never shown,
 * because only the position and message of each problem are reported.
 */
function parseWithoutStackTraces(
  text: string,
  lineCounter: LineCounter,
): Document.Parsed {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // Duplicate keys are found later, in linear time (see isDuplicateKey).
    return parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Most YAML problems after the first few follow from them, and binary junk
 * can give one per character, so only the first ones are reported in full.
 */
const MAX_REPORTED_YAML_PROBLEMS = 50;

function reportYamlProblems(
  source: YamlSource,
  problems: YAMLError[],
  collector: IssueCollector,
): void {
  for (const problem of problems.slice(0, MAX_REPORTED_YAML_PROBLEMS)) {
    reportYamlProblem(source, problem, collector);
  }
  const rest = problems.slice(MAX_REPORTED_YAML_PROBLEMS);
  if (rest.length === 0) {
    return;
  }
  const at = locateOffset(source, rest[0].pos[0], '');
  const kind = rest[0].name === 'YAMLWarning' ? 'warnings' : 'errors';
  const message = `${rest.length} more YAML ${kind} from here on are not shown; fix the ones above first`;
  if (kind === 'warnings') {
    collector.warn('yaml-syntax', at, message);
  } else {
    collector.error('yaml-syntax', at, message);
  }
}

/** Returns the location of a node: the path and where the node starts. */
export function locate(
  source: YamlSource,
  node: Node | null | undefined,
  path: string,
): Location {
  return locateOffset(source, node?.range?.[0] ?? 0, path);
}

export function locateOffset(
  source: YamlSource,
  offset: number,
  path: string,
): Location {
  const position = source.lineCounter.linePos(offset);
  return { path, line: position.line, column: position.col };
}

/** Returns the node's text as written, without trailing comments. */
export function sourceText(source: YamlSource, node: Node): string {
  const range = node.range;
  if (range === undefined || range === null) {
    return '';
  }
  return source.text.slice(range[0], range[1]);
}

/**
 * Returns the node an alias refers to: the last node before the alias that
 * carries its anchor. Unlike `Alias.resolve`, which walks the whole document
 * for every alias, this indexes the anchors once, so many aliases stay cheap.
 */
export function resolveAlias(
  source: YamlSource,
  alias: Alias,
): Node | undefined {
  source.anchors ??= indexAnchors(source.document);
  const candidates = source.anchors.get(alias.source) ?? [];
  const aliasOffset = alias.range?.[0] ?? 0;
  let low = 0;
  let high = candidates.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (startOf(candidates[middle]) < aliasOffset) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low > 0 ? candidates[low - 1] : undefined;
}

function indexAnchors(document: Document.Parsed): Map<string, Node[]> {
  const anchors = new Map<string, Node[]>();
  // An explicit stack instead of recursion keeps deep documents from
  // overflowing the call stack.
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isNode(node) && typeof node.anchor === 'string') {
      const list = anchors.get(node.anchor) ?? [];
      list.push(node);
      anchors.set(node.anchor, list);
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      // A loop, because spreading a huge list into push() overflows the
      // argument limit.
      for (const item of node.items) {
        stack.push(item);
      }
    }
  }
  for (const list of anchors.values()) {
    list.sort((a, b) => startOf(a) - startOf(b));
  }
  return anchors;
}

function startOf(node: Node): number {
  return node.range?.[0] ?? 0;
}

function reportYamlProblem(
  source: YamlSource,
  problem: YAMLError,
  collector: IssueCollector,
): void {
  const at = locateOffset(source, problem.pos[0], '');
  const severity = problem.name === 'YAMLWarning' ? 'warn' : 'error';
  const prefix = severity === 'warn' ? 'YAML warning:' : 'invalid YAML:';

  switch (problem.code) {
    case 'MULTIPLE_DOCS':
      collector.error(
        'yaml-syntax',
        at,
        "a second YAML document starts here; a config file must contain exactly one document, so remove the extra '---' and what follows",
      );
      return;
    case 'RESOURCE_EXHAUSTION':
      collector.error(
        'too-complex',
        at,
        `the YAML is nested too deeply to parse (${firstLine(problem.message)}); a config needs only a few levels`,
      );
      return;
    default:
      collector[severity](
        'yaml-syntax',
        at,
        `${prefix} ${firstLine(problem.message)} (${problem.code})`,
      );
  }
}

function firstLine(message: string): string {
  const end = message.indexOf('\n');
  return end === -1 ? message : message.slice(0, end);
}
