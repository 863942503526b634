import { parseArgs, USAGE, UsageError } from '../../lib/cli/args.js';

const usageError = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${JSON.stringify(argv)}`);
};

describe('parseArgs', () => {
  it('reads every SPEC option in its long form', () => {
    expect(
      parseArgs([
        'wss://x/', '--header', 'X-A: b: c', '--protocol', 'chat', '--protocol', 'v2', '--execute', 'hi', '--wait', '0.5', '--no-stdin',
        '--compress', '--persist', '--ping-rate', '500', '--ping-timeout', '900', '--connect-timeout', '3000', '--ca', 'ca.pem',
        '--insecure', '--proxy', 'http://127.0.0.1:3128', '--json', '--binary-format', 'base64', '--verbose',
      ]),
    ).toEqual({
      url: 'wss://x/',
      demo: false,
      help: false,
      version: false,
      headers: { 'X-A': 'b: c' },
      protocols: ['chat', 'v2'],
      execute: ['hi'],
      wait: 0.5,
      noStdin: true,
      compress: true,
      persist: true,
      pingRate: 500,
      pingTimeout: 900,
      connectTimeout: 3000,
      ca: 'ca.pem',
      insecure: true,
      proxy: 'http://127.0.0.1:3128',
      json: true,
      verbose: true,
      binaryFormat: 'base64',
    });
  });

  it("reads wscat's short options, grouped flags and attached values", () => {
    expect(parseArgs(['-H', 'A: 1', '-HB: 2', '-s', 'chat', '-x', '-1', '-w3', '-nv', 'ws://x/'])).toMatchObject({
      url: 'ws://x/',
      headers: { A: '1', B: '2' },
      protocols: ['chat'],
      execute: ['-1'],
      wait: 3,
      noStdin: true,
      verbose: true,
    });
    expect(parseArgs(['-V'])).toMatchObject({ version: true, url: null });
    expect(parseArgs(['-h'])).toMatchObject({ help: true, url: null });
  });

  it('has defaults for everything but the URL', () => {
    expect(parseArgs(['ws://x/'])).toEqual({
      url: 'ws://x/', demo: false, help: false, version: false, headers: {}, protocols: [], execute: [], wait: null, noStdin: false,
      compress: false, persist: false, pingRate: undefined, pingTimeout: undefined, connectTimeout: undefined, ca: null,
      insecure: false, proxy: null, json: false, verbose: false, binaryFormat: 'hex',
    });
  });

  it('accepts --demo without a URL, and --help or --version without anything else', () => {
    expect(parseArgs(['--demo'])).toMatchObject({ demo: true, url: null });
    expect(parseArgs(['--help', 'not a url'])).toMatchObject({ help: true });
  });

  it('takes a proxy without a scheme as http://', () => {
    expect(parseArgs(['ws://x/', '--proxy', '127.0.0.1:3128']).proxy).toBe('http://127.0.0.1:3128');
  });

  it('rejects bad input with a one-line UsageError naming the value', () => {
    expect(usageError([])).toBe('a ws:// or wss:// URL is required');
    expect(usageError(['not a url'])).toBe('invalid url "not a url" (a ws:// or wss:// URL is needed)');
    expect(usageError(['ws://'])).toBe('invalid url "ws://" (a ws:// or wss:// URL is needed)');
    expect(usageError(['ftp://x/'])).toBe('invalid url scheme ftp: (a ws:// or wss:// URL is needed)');
    expect(usageError(['ws://u:secret@x:99999/'])).not.toContain('secret');
    expect(usageError(['ws://x', 'ws://y'])).toBe("unexpected argument 'ws://y' (one URL only)");
    expect(usageError(['ws://x', '--nope'])).toBe('unknown option --nope');
    expect(usageError(['ws://x', '-q'])).toBe('unknown option -q');
    expect(usageError(['ws://x', '--constructor'])).toBe('unknown option --constructor');
    expect(usageError(['ws://x', '--json=yes'])).toBe("option --json takes no value, got 'yes'");
    expect(usageError(['ws://x', '-H'])).toBe('option -H needs a value');
    expect(usageError(['ws://x', '--ping-rate', 'soon'])).toBe("--ping-rate needs a number of milliseconds (0 to 2147483647), got 'soon'");
    expect(usageError(['ws://x', '--ping-timeout', '-5'])).toBe("--ping-timeout needs a number of milliseconds (0 to 2147483647), got '-5'");
    expect(usageError(['ws://x', '--connect-timeout', ''])).toBe("--connect-timeout needs a number of milliseconds (0 to 2147483647), got ''");
    expect(usageError(['ws://x', '-w', 'Infinity'])).toBe("--wait needs a number of seconds, got 'Infinity'");
    expect(usageError(['ws://x', '--header', 'novalue'])).toBe("--header needs 'Name: value', got 'novalue'");
    expect(usageError(['ws://x', '--header', ': v'])).toBe("--header needs 'Name: value', got ': v'");
    expect(usageError(['ws://x', '--binary-format', 'octal'])).toBe("--binary-format needs one of hex, base64, utf8, got 'octal'");
    expect(usageError(['ws://x', '--proxy', 'https://p:1'])).toBe("--proxy needs an http:// proxy, got 'https://p:1'");
    expect(usageError(['ws://x', '--proxy', 'http://u:pw@[::1'])).toBe("invalid proxy url 'http://***:***@[::1'");
    expect(usageError(['--demo', 'ws://x'])).toBe('--demo takes no URL');
  });

  it('documents every option in the usage text', () => {
    for (const flag of ['-H, --header', '-s, --protocol', '-x, --execute', '-w, --wait', '-n, --no-stdin', '--compress', '--persist', '--ping-rate',
      '--ping-timeout', '--connect-timeout', '--ca', '--insecure', '--proxy', '--json', '--binary-format', '-v, --verbose', '-V, --version', '-h, --help']) {
      expect(USAGE).toContain(flag);
    }
    expect(USAGE.split('\n')[0]).toBe("usage: lomond <url> [-H 'K: V'] [-s protocol] [-x msg] [-w secs] [-n] [--compress] [--persist]");
  });
});
