/** pino's numeric levels mapped to syslog priorities (sd-daemon(3) prefixes). */
const SYSLOG_PRIORITY: Record<number, number> = {
  10: 7, // trace -> debug
  20: 7, // debug
  30: 6, // info
  40: 4, // warn -> warning
  50: 3, // error -> err
  60: 2, // fatal -> crit
};

const LEVEL_NAME: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields pino adds to every line that a human reader does not need. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

type Record_ = Record<string, unknown>;

/**
 * Formats one pino JSON line for the journal: `<PRIORITY>message key=value`.
 * The shim and parent come first so `journalctl -u macvlan-shim | grep`
 * finds every line about one interface.
 */
export function formatJournalLine(json: string): string {
  const record = parse(json);
  const priority = SYSLOG_PRIORITY[Number(record.level)] ?? 6;
  return `<${priority}>${humanLine(record)}\n`;
}

/** Formats one pino JSON line for a terminal: `HH:MM:SS.mmm LEVEL message key=value`. */
export function formatTerminalLine(json: string): string {
  const record = parse(json);
  const time = new Date(Number(record.time) || Date.now()).toISOString().slice(11, 23);
  const level = (LEVEL_NAME[Number(record.level)] ?? 'INFO').padEnd(5);
  return `${time} ${level} ${humanLine(record)}\n`;
}

function parse(json: string): Record_ {
  try {
    return JSON.parse(json) as Record_;
  } catch {
    return { level: 30, msg: json.trim() };
  }
}

function humanLine(record: Record_): string {
  const fields = Object.keys(record)
    .filter((key) => !HIDDEN.has(key))
    .sort(byImportance)
    .map((key) => `${key}=${formatValue(record[key])}`);
  const error = errorText(record.err);
  return [String(record.msg ?? ''), ...fields, ...(error ? [error] : [])].join(' ');
}

function byImportance(a: string, b: string): number {
  const rank = (key: string) => ['shim', 'parent'].indexOf(key) >>> 0;
  return rank(a) - rank(b);
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** Formats the error message on one line, without the stack. */
function errorText(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') {
    return undefined;
  }
  const message = (err as { message?: unknown }).message;
  return message === undefined ? undefined : `error=${formatValue(String(message))}`;
}
