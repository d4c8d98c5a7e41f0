import { CommandLineError, parseCommandLine } from './command-line';

describe('parseCommandLine (Go flag syntax, as the original)', () => {
  it.each([
    [['-config', 'a.json'], 'a.json'],
    [['--config', 'a.json'], 'a.json'],
    [['-config=a.json'], 'a.json'],
    [['--config=a.json'], 'a.json'],
    [['-config=with=equals.json'], 'with=equals.json'],
    [[], undefined],
  ])('%j gives config file %s', (argv, file) => {
    expect(parseCommandLine(argv)).toEqual({ configFile: file, version: false, help: false });
  });

  it.each([
    [['-version'], { version: true }],
    [['--version'], { version: true }],
    [['-version=false'], { version: false }],
    [['-help'], { help: true }],
    [['-h'], { help: true }],
  ])('%j sets %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toMatchObject(expected);
  });

  it.each([
    [['-cnfig', 'x'], 'unknown flag "-cnfig"'],
    [['--config'], 'flag -config needs a file name'],
    [['-config='], 'flag -config needs a file name'],
    [['serve'], 'unexpected argument "serve"'],
    [['-config', 'x.json', 'extra'], 'unexpected argument "extra"'],
    [['-'], 'unexpected argument "-"'],
    [['-version=maybe'], 'invalid value "maybe" for flag -version'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(CommandLineError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
