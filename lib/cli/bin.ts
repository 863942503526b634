#!/usr/bin/env node
/**
 * The `lomond` executable (package.json `bin` → dist/cjs/cli/bin.js): runs
 * {@link main} with the process's arguments and streams and exits with its
 * code. lib/cli is built into dist/cjs only (tsconfig.build.esm.json leaves
 * it out of the ES module library tree); the build marks this file executable.
 */
import { main } from './main.js';

/** Exits once stdout and stderr have handed over what was written (pipes may be asynchronous). */
function exit(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || stream.writableEnded) done();
    else stream.write('', done);
  }
}

// A stdout whose reader went away (EPIPE) is main's to handle; here it must just never be an uncaught error.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  // main resolves for everything users and servers do: this is a bug in lomond, said in one line.
  process.stderr.write(`lomond: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(1);
});
