// `npm run bench`: bench/run.ts under tsx; `npm run bench:profile` (this
// script with --profile first): bench/profile.ts. Node's built-in WebSocket
// is one contender: Node 22+ has it without a flag; Node 20 needs
// --experimental-websocket (passed only there, so that a Node that drops the
// flag still runs the bench; the bench passes it on to its client processes).
// Other arguments go to the bench script.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const profile = args[0] === '--profile';
const script = profile ? 'bench/profile.ts' : 'bench/run.ts';
const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket'];
const child = spawnSync(process.execPath, [...flags, '--import', 'tsx', script, ...(profile ? args.slice(1) : args)], { stdio: 'inherit' });
process.exitCode = child.status ?? 1;
