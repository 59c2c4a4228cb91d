/** Minimal flag parsing shared by the policy CLIs: `--policies PATH` (repeatable), `--json`, rest = words. */
export interface CliArguments {
  policies: string[];
  json: boolean;
  words: string[];
  help: boolean;
}

export function parseCliArguments(argv: string[]): CliArguments {
  const parsed: CliArguments = { policies: [], json: false, words: [], help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--policies' || argument === '-p') {
      const value = argv[index + 1];
      if (value !== undefined) parsed.policies.push(value);
      index += 1;
    } else if (argument.startsWith('--policies=')) parsed.policies.push(argument.slice('--policies='.length));
    else if (argument === '--json') parsed.json = true;
    else if (argument === '--help' || argument === '-h') parsed.help = true;
    else if (argument === '--') continue;
    else parsed.words.push(argument);
  }
  return parsed;
}
