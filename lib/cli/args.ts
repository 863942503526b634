/**
 * Command-line parsing for `lomond` (SPEC "Package": the CLI). Hand-written
 * to keep the package free of runtime dependencies.
 */

/** What the command line asked for. */
export interface CliArgs {
  url: string | null;
  demo: boolean;
  compress: boolean;
  persist: boolean;
  protocols: string[];
  headers: Record<string, string>;
  pingRate?: number;
  pingTimeout?: number;
  help: boolean;
}

/** Usage text. */
export const USAGE = `usage: lomond <url> [--compress] [--protocol p] [--header 'K: V'] [--persist]
              [--ping-rate ms] [--ping-timeout ms]
       lomond --demo      talk to an embedded local echo server

Prints every event on one line and sends each line of standard input as a
text message. Exits 0 after a graceful close.`;

function numberArg(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number of milliseconds`);
  return n;
}

/** Parses argv (without node and script); throws Error with a message for the user. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { url: null, demo: false, compress: false, persist: false, protocols: [], headers: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (arg) {
      case '--demo':
        args.demo = true;
        break;
      case '--compress':
        args.compress = true;
        break;
      case '--persist':
        args.persist = true;
        break;
      case '--protocol': {
        const protocol = value();
        if (!protocol) throw new Error('--protocol needs a value');
        args.protocols.push(protocol);
        break;
      }
      case '--header': {
        const header = value() ?? '';
        const colon = header.indexOf(':');
        if (colon <= 0) throw new Error(`--header needs 'Name: value', got '${header}'`);
        args.headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
        break;
      }
      case '--ping-rate':
        args.pingRate = numberArg(arg, value());
        break;
      case '--ping-timeout':
        args.pingTimeout = numberArg(arg, value());
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
        if (args.url !== null) throw new Error(`unexpected argument ${arg}`);
        args.url = arg;
    }
  }
  if (!args.help && !args.demo && args.url === null) throw new Error('a ws:// or wss:// URL is required');
  return args;
}
