import { writeSync } from 'node:fs';
import pino from 'pino';
import type { LogLevel } from '../config/types';
import { formatJournalLine, formatTerminalLine } from './format';
import { detectFormat, LogFormat } from './output';
import { RepeatFilter } from './repeat-filter';

export type Logger = pino.Logger;

const WARN_LEVEL = 40;
const REPEAT_WINDOW_MS = 60_000;
/** Identical warnings or errors that pass in one window before the rest are counted. */
const REPEAT_BURST = 3;

/**
 * Creates the root logger. Modules get child loggers bound to `{ shim,
 * parent }` so every line about an interface names it.
 */
export function createLogger(level: LogLevel, format: LogFormat = detectFormat()): Logger {
  const repeats = new RepeatFilter(REPEAT_WINDOW_MS, REPEAT_BURST);
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: pino.stdSerializers.errWithCause },
      hooks: {
        logMethod(args, method, levelNumber) {
          if (levelNumber < WARN_LEVEL) {
            return method.apply(this, args);
          }
          const key = `${levelNumber}\0${JSON.stringify(this.bindings())}\0${messageOf(args)}`;
          const suppressed = repeats.admit(key);
          if (suppressed === undefined) return;
          if (suppressed > 0) args = withRepeated(args, suppressed);
          return method.apply(this, args);
        },
      },
    },
    destination(format),
  );
}

function destination(format: LogFormat): pino.DestinationStream {
  if (format === 'json') {
    return pino.destination({ fd: 1, sync: true });
  }
  const formatLine = format === 'journal' ? formatJournalLine : formatTerminalLine;
  return { write: (line: string) => void writeSync(1, formatLine(line)) };
}

function messageOf(args: unknown[]): string {
  return args.find((arg): arg is string => typeof arg === 'string') ?? '';
}

function withRepeated(args: Parameters<pino.LogFn>, suppressed: number): Parameters<pino.LogFn> {
  const [first, ...rest] = args;
  if (typeof first === 'object' && first !== null && !(first instanceof Error)) {
    return [{ ...first, repeated: suppressed }, ...rest] as Parameters<pino.LogFn>;
  }
  return [{ repeated: suppressed }, ...args] as Parameters<pino.LogFn>;
}
