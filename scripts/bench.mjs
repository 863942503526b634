// `npm run bench`: bench/run.ts under tsx, with Node's built-in WebSocket as
// one contender. Node 22+ has it without a flag; Node 20 needs
// --experimental-websocket (passed only there, so that a Node that drops the
// flag still runs the bench). Arguments are passed on to bench/run.ts.
import { spawnSync } from 'node:child_process';

const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket'];
const child = spawnSync(process.execPath, [...flags, '--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = child.status ?? 1;
