// Packaging check: `npm pack` (its `prepack` builds dist/), then install the
// tarball in a scratch directory and load it the ways users do.
//
//   node scripts/pack-check.mjs [--no-build] [--keep]
//
// Checks that
// - the tarball holds only dist/**, the sources (lib/**/*.ts), README.md, CHANGELOG.md, LICENSE and package.json,
//   and every file that package.json points to (main, module, types, bin, exports);
// - every source map points at the shipped sources in lib/ (none embedded) and the ES module
//   tree holds the library only (no CLI, no CommonJS idiom);
// - @arethetypeswrong/cli and publint (--strict, suggestions included) find nothing;
// - require('lomond'), require('lomond/testing'), import('lomond') and
//   import('lomond/testing') expose connect$, WebSocket, persist and createTestServer,
//   and a virtual connection through lomond/testing reaches `ready` in both module systems;
// - the `lomond` bin runs (`npx lomond --help` in the scratch project);
// - the `browser` condition (when package.json declares it) and the `lomond/browser`
//   subpath load the browser build, whose types compile in a browser project without
//   @types/node and make Node-only options compile errors;
// - browser bundles (esbuild, platform browser) of lomond/browser and lomond/testing
//   need no node:* module;
// - TypeScript resolves the shipped types from ESM and CommonJS code;
// - the runtime smoke suite (spec/runtimes/smoke.mts) passes on this Node and on
//   Bun and Deno (pinned in scripts/runtimes.mjs; LOMOND_RUNTIMES selects them).
// --no-build packs the dist/ already there (npm pack --ignore-scripts).
// Installs rxjs from this project's node_modules; npm may still ask the registry
// for https-proxy-agent when it is not in the local cache. Ends with
// "pack-check: N passed, N failed" and exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, selected, SMOKE_IDS, unsupportedReason } from './runtimes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const failures = [];
let passed = 0;

function check(label, fn) {
  try {
    const note = fn();
    passed++;
    console.log(`ok - ${label}${note ? ` (${note})` : ''}`);
  } catch (error) {
    failures.push(label);
    console.log(`not ok - ${label}\n  ${String(error.stderr ?? '').trim() || error.message}`.replace(/\n/g, '\n  '));
  }
}

async function checkAsync(label, fn) {
  let note;
  try {
    note = await fn();
  } catch (error) {
    return check(label, () => {
      throw error;
    });
  }
  return check(label, () => note);
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

/** How each runtime runs the smoke suite. Deno's grants: the test servers (npm ws, proxy, debug) read the environment and the host name. */
const SMOKE = join('spec', 'runtimes', 'smoke.mts');
const smokeArgs = {
  node: ['--import', 'tsx', SMOKE],
  bun: [SMOKE],
  deno: ['run', '--no-prompt', '--sloppy-imports', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', `--allow-write=${tmpdir()}`, '--allow-run=openssl', '--allow-sys=hostname', SMOKE],
};

/** Runs the smoke suite on one runtime (proxy variables removed so that autodetection finds none); shows its lines when a case failed or is a known limitation. */
function runSmoke(id, label, binary) {
  check(`smoke on ${label}`, () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(https?|all|no)_proxy$/i.test(name)));
    const started = Date.now();
    let out;
    try {
      out = execFileSync(binary, smokeArgs[id], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, NO_COLOR: '1' } });
    } catch (error) {
      throw new Error(`${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message);
    }
    const lines = out.trim().split('\n');
    for (const line of lines.filter((l) => /# known limitation/.test(l))) console.log(`  ${line}`);
    return `${lines.at(-1)}, ${((Date.now() - started) / 1000).toFixed(1)} s`;
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'lomond-pack-check-'));
try {
  console.log(args.has('--no-build') ? '# npm pack --ignore-scripts (dist/ as it is)' : '# npm pack (prepack: npm run build)');
  const packArgs = ['pack', '--json', '--pack-destination', scratch, ...(args.has('--no-build') ? ['--ignore-scripts'] : [])];
  // With --json npm prints the prepack build's output on stderr: shown as it comes.
  const [packed] = JSON.parse(execFileSync('npm', packArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = join(scratch, packed.filename);
  const files = packed.files.map((f) => f.path);
  // The shipped files, as a user's node_modules/lomond will hold them.
  const unpacked = join(scratch, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1']);
  const shipped = (path) => readFileSync(join(unpacked, path), 'utf8');

  check('tarball holds only dist/**, the sources (lib/**/*.ts), README.md, CHANGELOG.md, LICENSE, package.json', () => {
    const allowed = /^(dist\/.+|lib\/.+\.ts|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;
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

  check('every source map points at shipped sources (lib/), embedding none (Node keeps loaded maps whole)', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    const wrong = maps.filter((f) => {
      const map = JSON.parse(shipped(f));
      const dir = f.slice(0, f.lastIndexOf('/') + 1);
      const sources = map.sources.map((source) => posix.normalize(posix.join(dir, map.sourceRoot ?? '', source)));
      return map.sourcesContent !== undefined || sources.length === 0 || sources.some((source) => !source.startsWith('lib/') || !files.includes(source));
    });
    if (maps.length === 0) throw new Error('no source maps in the tarball');
    if (wrong.length > 0) throw new Error(`maps with embedded or unshipped sources: ${wrong.join(', ')}`);
    return `${maps.length} maps`;
  });
  check('the ES module tree is the library only: no cli/, no CommonJS idiom', () => {
    const esm = files.filter((f) => f.startsWith('dist/esm/') && f.endsWith('.js'));
    if (files.some((f) => f.startsWith('dist/esm/cli/'))) throw new Error('dist/esm/cli/ is shipped');
    const cjsIdiom = esm.filter((f) => /\brequire\.main\b|\bmodule\.exports\b|\bexports\.[A-Za-z_$]/.test(shipped(f)));
    if (cjsIdiom.length > 0) throw new Error(`CommonJS code in the ESM tree: ${cjsIdiom.join(', ')}`);
    return `${esm.length} modules`;
  });
  check('the bin is an executable file with a shebang', () => {
    for (const [name, target] of Object.entries(pkg.bin ?? {})) {
      const path = target.replace(/^\.\//, '');
      const entry = packed.files.find((f) => f.path === path);
      if (!entry) throw new Error(`${name}: ${path} is not in the tarball`);
      if ((entry.mode & 0o111) === 0) throw new Error(`${name}: ${path} is not executable (mode ${entry.mode.toString(8)})`);
      if (!shipped(path).startsWith('#!/usr/bin/env node\n')) throw new Error(`${name}: ${path} has no #!/usr/bin/env node line`);
    }
    return Object.keys(pkg.bin ?? {}).join(', ');
  });
  check('@arethetypeswrong/cli finds no problem in the tarball (every entry, every resolution mode)', () => {
    const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    let out;
    try {
      out = run('node', [attw, tarball, '--format', 'ascii', '--no-color', '--no-emoji'], root);
    } catch (error) {
      throw new Error(String(error.stdout ?? '').trim() || error.message); // attw reports on stdout
    }
    if (!/No problems found/.test(out)) throw new Error(out);
    return 'node10, node16 (CJS and ESM), bundler';
  });
  await checkAsync('publint --strict finds nothing in the tarball, suggestions included', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const { messages, pkg: linted } = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true, level: 'suggestion' });
    if (messages.length > 0) throw new Error(messages.map((m) => `${m.type}: ${formatMessage(m, linted)}`).join('\n'));
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
  check('the `lomond` bin runs from the installed package (npx lomond --help)', () => {
    const out = run('npx', ['--no-install', 'lomond', '--help'], app);
    if (!/^usage: lomond /im.test(out)) throw new Error(`unexpected output: ${out.slice(0, 200)}`);
    return out.split('\n')[0].trim();
  });
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
  check("require('lomond/browser') and import('lomond/browser') load the browser build without any condition", () => {
    const probe = (load) => `
      const lomond = ${load};
      for (const name of ['connect$', 'WebSocket', 'persist', 'json', 'browserWake$', 'isText']) if (lomond[name] === undefined) throw new Error('lomond/browser lacks ' + name);
      try { lomond.connect$('ws://pack.test/', { tls: {} }); throw new Error('tls accepted: not the browser build'); }
      catch (error) { if (!/not available in browsers/.test(error.message)) throw error; }
    `;
    run('node', ['--input-type=module', '-e', probe("await import('lomond/browser')")], app);
    run('node', ['-e', probe("require('lomond/browser')")], app);
  });
  for (const [entry, source] of [
    ['lomond/browser', "export { connect$, WebSocket, persist, json, browserWake$ } from 'lomond/browser';"],
    ['lomond/testing', "export { createTestServer, installTestWebSocket } from 'lomond/testing'; export { connect$ } from 'lomond/browser';"],
    ['lomond (browser condition)', "export { connect$, WebSocket, persist } from 'lomond';"],
  ]) {
    check(`a browser bundle of ${entry} (esbuild, platform browser) needs no node:* module`, () => {
      const bundle = `
        const { build } = require(${JSON.stringify(join(root, 'node_modules', 'esbuild'))});
        build({ stdin: { contents: ${JSON.stringify(source)}, resolveDir: process.cwd() },
          bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
          .then((r) => { if (/node:|\\bBuffer\\b/.test(r.outputFiles[0].text)) throw new Error('node-only code in the browser bundle'); console.log((r.outputFiles[0].text.length / 1024).toFixed(0) + ' KiB unminified'); })
          .catch((e) => { console.error(e.message); process.exit(1); });
      `;
      return run('node', ['-e', bundle], app).trim();
    });
  }
  check('TypeScript: lomond/browser compiles without @types/node (skipLibCheck off) and rejects Node-only options', () => {
    writeFileSync(
      join(app, 'browser.ts'),
      `import { connect$, persist, WebSocket, isText, json, browserWake$ } from 'lomond/browser';
      import { filter } from 'rxjs';
      connect$('wss://pack.test/', { poll: 1000, heartbeat: { interval: 1000, timeout: 500, message: 'ping' } })
        .pipe(persist({ retryNow$: browserWake$() }), filter(isText)).subscribe((e) => e.text.length);
      connect$('wss://pack.test/').pipe(json<{ a: number }>()).subscribe((v) => v.a);
      // @ts-expect-error: browsers cannot set headers
      new WebSocket('wss://pack.test/', { headers: {} });
      // @ts-expect-error: the browser verifies certificates itself
      connect$('wss://pack.test/', { tls: {} });
      // @ts-expect-error: no protocol pings in browsers
      connect$('wss://pack.test/', { pingTimeout: 5000 });
      `,
    );
    const compilerOptions = { noEmit: true, strict: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], types: [], skipLibCheck: false };
    writeFileSync(join(app, 'tsconfig.browser.json'), JSON.stringify({ compilerOptions, files: ['browser.ts'] }));
    run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.browser.json'], app);
    // The same project with the `browser` condition resolves plain 'lomond' to the same types.
    writeFileSync(join(app, 'browser-condition.ts'), `import { connect$ } from 'lomond';
// @ts-expect-error: browsers cannot set headers
connect$('wss://pack.test/', { headers: {} });
`);
    writeFileSync(join(app, 'tsconfig.condition.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, customConditions: ['browser'] }, files: ['browser-condition.ts'] }));
    run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.condition.json'], app);
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

  console.log('# runtime smoke suite (spec/runtimes/smoke.mts) on the built package');
  runSmoke('node', `Node ${process.versions.node} (this machine, tsx)`, process.execPath);
  const unsupported = unsupportedReason();
  for (const id of selected(SMOKE_IDS)) {
    if (unsupported) {
      check(`smoke on ${id}`, () => `skipped: ${unsupported}`);
      continue;
    }
    let runtime;
    try {
      runtime = ensureRuntime(id);
    } catch (error) {
      check(`smoke on ${id}`, () => {
        throw error;
      });
      continue;
    }
    runSmoke(id, `${runtime.label} ${runtime.version}${runtime.installMs ? `, installed in ${(runtime.installMs / 1000).toFixed(1)} s` : ''}`, runtime.path);
  }
} catch (error) {
  failures.push(`setup: ${error.message}`);
  console.log(`not ok - setup\n  ${String(error.stderr ?? error.message).trim()}`);
} finally {
  if (args.has('--keep')) console.log(`# kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

if (failures.length > 0) console.log(`FAIL pack-check: ${failures.join('; ')}`);
console.log(`pack-check: ${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length === 0 ? 0 : 1;
