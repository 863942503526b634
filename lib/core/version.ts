/**
 * The package version, as package.json says it. lib/ cannot import
 * package.json (it lies outside the build's rootDir, and the two builds ship
 * it at different depths), so it is written here once and
 * spec/core/version.spec.ts fails when the two differ: bump both together.
 * Read by the default User-Agent and by `lomond --version`.
 */

/** The package version, e.g. `0.1.0`. */
export const VERSION = '0.1.0';
