/**
 * The CLI end to end against its embedded demo server and a local `ws` server (127.0.0.1 only).
 */
import { Readable } from 'node:stream';
import { main } from '../../lib/cli/main.js';
import { startDemoServer } from '../../lib/cli/demo-server.js';
import { startWsServer } from '../helpers/ws-server.js';

describe('lomond CLI', () => {
  it('--demo greets, echoes the demo lines and stdin, and exits 0 after a graceful close', async () => {
    const lines: string[] = [];
    const code = await main(['--demo', '--ping-rate', '0'], Readable.from(['typed line\n']), (line) => lines.push(line));
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Connecting\(url='ws:\/\/127\.0\.0\.1:\d+\/'\)$/);
    expect(lines).toContain("Text(text='Welcome to the lomond demo echo server')");
    expect(lines).toContain("Text(text='Hello from lomond!')");
    expect(lines).toContain("Text(text='typed line')");
    expect(lines.at(-2)).toBe("Closed(code=1000, reason='goodbye')");
    expect(lines.at(-1)).toBe("Disconnected(reason='closed', graceful=true)");
  });

  it('sends stdin lines to a given URL', async () => {
    const server = await startDemoServer();
    const lines: string[] = [];
    try {
      const code = await main([server.url, '--ping-rate', '0'], Readable.from(['one\n']), (line) => lines.push(line));
      expect(code).toBe(0);
      expect(lines.filter((line) => line.startsWith('Ready('))).toEqual(['Ready(protocol=null, extensions=[])']);
    } finally {
      await server.close();
    }
  });

  it('--persist: stdin EOF (Ctrl-D) closes, and the CLI exits 0 after that one connection', async () => {
    const server = await startWsServer();
    let connections = 0;
    // Reconnecting after the app's own close would be the bug: fail at the second connection instead of hanging.
    const reconnected = new Promise<never>((_, reject) =>
      server.wss.on('connection', () => {
        if (++connections > 1) reject(new Error('the CLI reconnected after its own close'));
      }),
    );
    const lines: string[] = [];
    try {
      const code = await Promise.race([main([server.url, '--persist', '--ping-rate', '0'], Readable.from(['one\n']), (line) => lines.push(line)), reconnected]);
      expect(code).toBe(0);
      expect(connections).toBe(1);
      expect(lines.filter((line) => line.startsWith('BackOff('))).toEqual([]);
      expect(lines.slice(-2)).toEqual(["Closed(code=1000, reason='goodbye')", "Disconnected(reason='closed', graceful=true)"]);
    } finally {
      await server.close();
    }
  });

  it('exits 2 with usage for bad arguments', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(main(['--bogus'])).resolves.toBe(2);
    expect(errors.mock.calls[0]![0]).toContain('unknown option --bogus');
    errors.mockRestore();
  });
});
