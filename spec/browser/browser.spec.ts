/**
 * The `browser` entry (lib/browser.ts): the same public names as the Node
 * entry, and a bundle that needs nothing from Node.
 */
import { build } from 'esbuild';
import * as browser from '../../lib/browser.js';
import * as node from '../../lib/index.js';

describe('lib/browser.ts', () => {
  it('exports the same runtime names as lib/index.ts', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it('exports its own connect$ and WebSocket, and the shared persist, exponentialBackoff, guards, errors and Status', () => {
    expect(browser.connect$).not.toBe(node.connect$);
    expect(browser.WebSocket).not.toBe(node.WebSocket);
    expect([browser.persist, browser.exponentialBackoff, browser.isText, browser.WebSocketClosedError, browser.Status]).toEqual([
      node.persist,
      node.exponentialBackoff,
      node.isText,
      node.WebSocketClosedError,
      node.Status,
    ]);
  });

  it('bundles for the browser platform without node:* modules, Buffer or require', async () => {
    const result = await build({
      entryPoints: ['lib/browser.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      external: ['rxjs'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports.filter((path) => !path.startsWith('lib/') && path !== 'rxjs')).toEqual([]);
    expect(code).not.toMatch(/node:|\bBuffer\b|\brequire\(/);
  });
});
