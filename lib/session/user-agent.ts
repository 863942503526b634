import { VERSION } from '../core/version.js';

/** The default User-Agent header: `lomond/<version> (node <version>)`. */
export const USER_AGENT = `lomond/${VERSION} (node ${typeof process !== 'undefined' ? process.version : 'unknown'})`;
