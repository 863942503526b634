import { parseArgs } from '../../lib/cli/args.js';

describe('parseArgs', () => {
  it('reads every SPEC option', () => {
    expect(parseArgs(['wss://x/', '--compress', '--protocol', 'chat', '--header', 'X-A: b: c', '--persist', '--ping-rate', '500', '--ping-timeout', '900'])).toEqual({
      url: 'wss://x/',
      demo: false,
      compress: true,
      persist: true,
      protocols: ['chat'],
      headers: { 'X-A': 'b: c' },
      pingRate: 500,
      pingTimeout: 900,
      help: false,
    });
  });

  it('accepts --demo without a URL', () => {
    expect(parseArgs(['--demo'])).toMatchObject({ demo: true, url: null });
  });

  it('rejects bad input with a message', () => {
    expect(() => parseArgs([])).toThrow('a ws:// or wss:// URL is required');
    expect(() => parseArgs(['ws://x', '--nope'])).toThrow('unknown option --nope');
    expect(() => parseArgs(['ws://x', '--ping-rate', 'soon'])).toThrow('--ping-rate needs a number of milliseconds');
    expect(() => parseArgs(['ws://x', '--header', 'novalue'])).toThrow("--header needs 'Name: value', got 'novalue'");
  });
});
