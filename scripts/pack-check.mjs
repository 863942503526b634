// Packaging check: build, `npm pack`, then install the tarball in a scratch
// directory and load it the ways users do.
//
//   node scripts/pack-check.mjs [--no-build] [--keep]
//
// Checks that
// - the tarball holds only dist/**, README.md, CHANGELOG.md, LICENSE and package.json,
//   and every file that package.json points to (main, module, types, bin, exports);
// - require('lomond'), require('lomond/testing'), import('lomond') and
//   import('lomond/testing') expose connect$, WebSocket, persist and createTestServer,
//   and a virtual connection through lomond/testing reaches `ready` in both module systems;
// - the `browser` condition (when package.json declares it) loads the browser build;
// - TypeScript resolves the shipped types from ESM and CommonJS code.
// Installs rxjs from this project's node_modules; npm may still ask the registry
// for https-proxy-agent when it is not in the local cache. Prints PASS or FAIL.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const failures = [];

function check(label, fn) {
  try {
    const note = fn();
    console.log(`ok - ${label}${note ? ` (${note})` : ''}`);
  } catch (error) {
    failures.push(label);
    console.log(`not ok - ${label}\n  ${String(error.stderr ?? '').trim() || error.message}`.replace(/\n/g, '\n  '));
  }
}

const run = (cmd, argv, cwd, env = {}) =>
  execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });

/** Every file path package.json points to. */
function referencedFiles() {
  const paths = new Set([pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin ?? {})].filter(Boolean));
  const walk = (target) => {
    if (typeof target === 'string') paths.add(target);
    else if (target && typeof target === 'object') Object.values(target).forEach(walk);
  };
  walk(pkg.exports);
  return [...paths].map((p) => p.replace(/^\.\//, ''));
}

const scratch = mkdtempSync(join(tmpdir(), 'lomond-pack-check-'));
try {
  if (!args.has('--no-build')) {
    console.log('# npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }

  console.log('# npm pack');
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], root));
  const tarball = join(scratch, packed.filename);
  const files = packed.files.map((f) => f.path);

  check('tarball holds only dist/**, README.md, CHANGELOG.md, LICENSE, package.json', () => {
    const allowed = /^(dist\/.+|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
    const extra = files.filter((f) => !allowed.test(f));
    if (extra.length > 0) throw new Error(`unexpected files: ${extra.join(', ')}`);
    return `${files.length} files, ${(packed.size / 1024).toFixed(0)} KiB packed`;
  });
  check('tarball holds README.md, CHANGELOG.md, LICENSE and package.json', () => {
    const missing = ['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json'].filter((f) => !files.includes(f));
    if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
  });
  check('tarball holds every file package.json points to', () => {
    const missing = referencedFiles().filter((f) => f !== 'package.json' && !files.includes(f));
    if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
  });

  console.log('# install into a scratch project');
  const app = join(scratch, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'lomond-pack-check', private: true }) + '\n');
  run('npm', ['install', tarball, join(root, 'node_modules', 'rxjs'), '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], app);

  const smoke = (load) => `
    const lomond = ${load('lomond')};
    const testing = ${load('lomond/testing')};
    const { asyncScheduler } = ${load('rxjs')};
    for (const name of ['connect$', 'WebSocket', 'persist', 'isText', 'Status', 'WebSocketClosedError']) {
      if (lomond[name] === undefined) throw new Error('lomond lacks ' + name);
    }
    if (typeof testing.createTestServer !== 'function') throw new Error('lomond/testing lacks createTestServer');
    const server = testing.createTestServer(asyncScheduler);
    const names = [];
    const subscription = lomond.connect$('ws://pack.test/', { transport: server.transport, pingRate: 0 }).subscribe((event) => {
      names.push(event.name);
      if (event.name === 'ready') { subscription.unsubscribe(); console.log(names.join(' ')); }
    });
  `;
  check("require('lomond') and require('lomond/testing') work and connect through the test server", () =>
    run('node', ['-e', smoke((id) => `require('${id}')`)], app).trim(),
  );
  check("import('lomond') and import('lomond/testing') work and connect through the test server", () =>
    run('node', ['--input-type=module', '-e', smoke((id) => `await import('${id}')`)], app).trim(),
  );
  check('the `browser` condition loads the browser build', () => {
    if (!JSON.stringify(pkg.exports?.['.'] ?? {}).includes('"browser"')) return 'skipped: package.json exports declare no browser condition';
    const probe = `
      const lomond = await import('lomond');
      try { new lomond.WebSocket('ws://pack.test/', { headers: { a: 'b' } }); throw new Error('headers accepted: not the browser build'); }
      catch (error) { if (!/not available in browsers/.test(error.message)) throw error; }
    `;
    run('node', ['--conditions=browser', '--input-type=module', '-e', probe], app);
    run('node', ['--conditions=browser', '-e', probe.replace("await import('lomond')", "require('lomond')").replace(/^/, '(async () => {') + '})().catch((e) => { console.error(e); process.exit(1); });'], app);
  });
  check('a browser bundle of lomond (esbuild, platform browser) needs no node:* module', () => {
    if (!JSON.stringify(pkg.exports?.['.'] ?? {}).includes('"browser"')) return 'skipped: package.json exports declare no browser condition';
    const bundle = `
      const { build } = require(${JSON.stringify(join(root, 'node_modules', 'esbuild'))});
      build({ stdin: { contents: "export { connect$, WebSocket, persist } from 'lomond';", resolveDir: process.cwd() },
        bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
        .then((r) => { if (/node:|\\bBuffer\\b/.test(r.outputFiles[0].text)) throw new Error('node-only code in the browser bundle'); console.log((r.outputFiles[0].text.length / 1024).toFixed(0) + ' KiB unminified'); })
        .catch((e) => { console.error(e.message); process.exit(1); });
    `;
    return run('node', ['-e', bundle], app).trim();
  });
  check('TypeScript resolves the browser types without @types/node', () => {
    if (!JSON.stringify(pkg.exports?.['.'] ?? {}).includes('"browser"')) return 'skipped: package.json exports declare no browser condition';
    writeFileSync(
      join(app, 'browser.ts'),
      `import { connect$, persist, WebSocket, isText } from 'lomond';
      import { filter } from 'rxjs';
      connect$('wss://pack.test/', { poll: 1000 }).pipe(persist(), filter(isText)).subscribe((e) => e.text.length);
      // @ts-expect-error: browsers cannot set headers
      new WebSocket('wss://pack.test/', { headers: {} });
      `,
    );
    const compilerOptions = { noEmit: true, strict: true, module: 'esnext', moduleResolution: 'bundler', customConditions: ['browser'], target: 'es2022', lib: ['es2022', 'dom'], types: [] };
    writeFileSync(join(app, 'tsconfig.browser.json'), JSON.stringify({ compilerOptions, files: ['browser.ts'] }));
    run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.browser.json'], app);
  });
  check('TypeScript resolves the shipped types from ESM and CommonJS code', () => {
    const source = (from) => `
      ${from}
      const events$: Observable<WebSocketEvent> = connect$('ws://pack.test/', { pingRate: 0 }).pipe(persist());
      const ws: WebSocket = new WebSocket('ws://pack.test/');
      const server: TestServer = createTestServer(asyncScheduler);
      void [events$, ws, server];
    `;
    writeFileSync(
      join(app, 'esm.mts'),
      source(`import { connect$, persist, WebSocket, type WebSocketEvent } from 'lomond';
        import { createTestServer, type TestServer } from 'lomond/testing';
        import { asyncScheduler, type Observable } from 'rxjs';`),
    );
    writeFileSync(
      join(app, 'cjs.cts'),
      source(`import lomond = require('lomond');
        import testing = require('lomond/testing');
        import rxjs = require('rxjs');
        const { connect$, persist, WebSocket } = lomond;
        type WebSocket = lomond.WebSocket;
        type WebSocketEvent = lomond.WebSocketEvent;
        const { createTestServer } = testing;
        type TestServer = testing.TestServer;
        const { asyncScheduler } = rxjs;
        type Observable<T> = rxjs.Observable<T>;`),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const typeRoots = join(root, 'node_modules', '@types');
    run('node', [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', typeRoots, 'esm.mts', 'cjs.cts'], app);
  });
} catch (error) {
  failures.push(`setup: ${error.message}`);
  console.log(`not ok - setup\n  ${String(error.stderr ?? error.message).trim()}`);
} finally {
  if (args.has('--keep')) console.log(`# kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

console.log(failures.length === 0 ? 'PASS pack-check' : `FAIL pack-check: ${failures.join('; ')}`);
process.exitCode = failures.length === 0 ? 0 : 1;
