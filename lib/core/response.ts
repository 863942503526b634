/**
 * The server's HTTP response to the upgrade request, as the `ready` and
 * `rejected` events carry it (SPEC "Response").
 */

/**
 * The HTTP version a response came in: `'1.1'` (or `'1.0'`, which can only refuse an upgrade) from an
 * HTTP/1 status line, `'2'` for RFC 8441 over HTTP/2.
 *
 * @inline
 */
export type HttpVersion = '1.0' | '1.1' | '2';

/** The server's answer to the upgrade request (`ready.response`, `rejected.response`): status, reason phrase, headers and HTTP version. */
export class Response {
  /** Header values by lower-case name; repeated headers are joined with ", " (RFC 9110 §5.3). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    /** The numeric status, e.g. 101. */
    readonly statusCode: number,
    /** The reason phrase, e.g. "Switching Protocols". */
    readonly status: string,
    /** Raw header lines in wire order, names as sent. */
    readonly rawHeaders: ReadonlyArray<readonly [string, string]> = [],
    /** The HTTP version of the status line (default `'1.1'`). */
    readonly httpVersion: HttpVersion = '1.1',
  ) {
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of rawHeaders) {
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    this.headers = headers;
  }

  /** The header's value (case-insensitive name), or `fallback` when absent. */
  get(name: string): string | undefined;
  get(name: string, fallback: string): string;
  get(name: string, fallback?: string): string | undefined {
    return this.headers[name.toLowerCase()] ?? fallback;
  }

  /** The header's comma-separated values, trimmed, empty items dropped (e.g. `Connection: keep-alive, Upgrade`). */
  getList(name: string): string[] {
    const value = this.get(name);
    if (value === undefined) return [];
    // Linear: split on a plain string and String.prototype.trim, no regular expression.
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** Python-style representation, e.g. `Response(101, 'Switching Protocols')`. */
  toString(): string {
    return `Response(${this.statusCode}, '${this.status}')`;
  }
}
