/**
 * minion's command line, with the original's Go `flag` syntax: `-config FILE` as well as
 * `--config FILE`, `-config=FILE` and `--config=FILE`; `-version` prints the version and exits;
 * `-help` prints the usage. Anything else stops the process with a message naming it: a
 * deployment must never start on the embedded default because its flag was not understood.
 */
export interface CommandLine {
  configFile?: string;
  version: boolean;
  help: boolean;
}

export class CommandLineError extends Error {}

export const USAGE = `Usage: minion [-config FILE] [-version] [-help]
  -config FILE   configuration file (also --config FILE, -config=FILE); else MINION_CONFIG_FILE,
                 API_CONFIG, config/config.json, or the embedded default
  -version       print the version and exit
  -help          print this help and exit
`;

const BOOLEAN_FLAGS = new Set(['version', 'help', 'h']);

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const out: CommandLine = { version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new CommandLineError(`unexpected argument "${arg}"`);
    const [, name, inline] = match;
    if (BOOLEAN_FLAGS.has(name)) {
      const on = inline === undefined || /^(1|t|true)$/i.test(inline);
      if (inline !== undefined && !/^(0|1|t|f|true|false)$/i.test(inline)) {
        throw new CommandLineError(`invalid value "${inline}" for flag -${name}`);
      }
      if (name === 'version') out.version = on;
      else out.help = on;
      continue;
    }
    if (name !== 'config') throw new CommandLineError(`unknown flag "${arg}"`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') {
      throw new CommandLineError('flag -config needs a file name');
    }
    out.configFile = value;
  }
  return out;
}
