#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runCheck } from './commands/check';
import { runDown } from './commands/down';
import { runStatus } from './commands/status';
import { runDaemon } from './daemon';

const DEFAULT_CONFIG = '/etc/macvlan-shim/config.yaml';

const USAGE = `Usage: macvlan-shim COMMAND [OPTIONS]

Keeps macvlan shim interfaces alive so a host can reach its macvlan containers.

Commands:
  run      run the daemon (under systemd: Type=notify)
  check    validate the config and print what it would manage
  status   compare each configured shim with the kernel
  down     delete the shims macvlan-shim created and undo its promiscuous setting

Options:
  -c, --config PATH   config file (default ${DEFAULT_CONFIG})
      --json          status: print JSON instead of a table
      --strict        check: treat warnings as errors
      --file-only     check: validate the file alone, without reading the kernel
  -h, --help          print this help and exit
  -V, --version       print the version and exit

Exit codes: 0 success, 1 failure (invalid config, drift, daemon error), 2 usage error.
`;

const COMMANDS = ['run', 'check', 'status', 'down'] as const;
type Command = (typeof COMMANDS)[number];

class UsageError extends Error {}

interface Invocation {
  command: Command | 'help' | 'version';
  configPath: string;
  json: boolean;
  strict: boolean;
  fileOnly: boolean;
}

/** Parses argv (without node and script); throws UsageError with a hint. */
export function parseInvocation(argv: string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        strict: { type: 'boolean' },
        'file-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    throw new UsageError(`${parseErrorText(error as NodeJS.ErrnoException)}; see 'macvlan-shim --help'`);
  }
  const { values, positionals } = parsed;
  const base = {
    configPath: values.config ?? DEFAULT_CONFIG,
    json: values.json === true,
    strict: values.strict === true,
    fileOnly: values['file-only'] === true,
  };
  if (values.help) return { command: 'help', ...base };
  if (values.version) return { command: 'version', ...base };
  const command = commandOf(positionals);
  for (const option of ['json', 'strict', 'file-only'] as const) {
    if (values[option] && !OPTIONS_OF[command].includes(option)) {
      throw new UsageError(`option '--${option}' does not apply to '${command}'; see 'macvlan-shim --help'`);
    }
  }
  return { command, ...base };
}

/** The command-specific options each command accepts. */
const OPTIONS_OF: Record<Command, string[]> = {
  run: [],
  check: ['strict', 'file-only'],
  status: ['json'],
  down: [],
};

/** Shortens node:util's parse errors, which explain positionals at length. */
function parseErrorText(error: NodeJS.ErrnoException): string {
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  return error.message.replace(/\.$/, '');
}

function commandOf(positionals: string[]): Command {
  if (positionals.length === 0) {
    throw new UsageError(`missing command; expected one of ${COMMANDS.join(', ')}`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument '${positionals[1]}'; see 'macvlan-shim --help'`);
  }
  const command = positionals[0];
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command '${command}'; expected one of ${COMMANDS.join(', ')}`);
  }
  return command as Command;
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`macvlan-shim: ${error.message}\n`);
    return 2;
  }
  switch (invocation.command) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`macvlan-shim ${version()}\n`);
      return 0;
    case 'run':
      return runDaemon({ configPath: invocation.configPath });
    case 'check':
      return runCheck({ configPath: invocation.configPath, strict: invocation.strict, fileOnly: invocation.fileOnly });
    case 'status':
      return runStatus({ configPath: invocation.configPath, json: invocation.json });
    case 'down':
      return runDown({ configPath: invocation.configPath });
  }
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../package.json') as { version: string }).version;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`macvlan-shim: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
