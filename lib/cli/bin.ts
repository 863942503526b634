#!/usr/bin/env node
/**
 * The `lomond` executable (package.json `bin` → dist/cjs/cli/bin.js): runs
 * {@link main} with the process's arguments and exits with its code. lib/cli
 * is built into dist/cjs only (tsconfig.build.esm.json leaves it out of the
 * ES module library tree); the build marks this file executable.
 */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`lomond: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
