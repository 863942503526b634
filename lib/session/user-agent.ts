/** The default User-Agent header: `lomond/<version> (node <version>)`. */
export const USER_AGENT = `lomond/0.1.0 (node ${typeof process !== 'undefined' ? process.version : 'unknown'})`;
