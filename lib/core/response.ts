/**
 * The server's HTTP response to the upgrade request, as the `ready` and
 * `rejected` events carry it (SPEC "Response").
 */
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
