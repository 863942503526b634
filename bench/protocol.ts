/** The requests bench/run.ts sends its client processes (bench/client-worker.ts), one sample each. */
export type Request =
  | { op: 'hello' }
  /** `count` messages from /blast (binary or text) or /json (permessage-deflate) at `url`. */
  | { op: 'receive'; url: string; kind: 'binary' | 'text' | 'json'; size: number; count: number }
  /** `count` binary messages of `size` bytes to /sink at `url`. */
  | { op: 'send'; url: string; size: number; count: number }
  | { op: 'echo'; url: string; count: number }
  /** `url` is the server's base URL. */
  | { op: 'idle'; url: string; connections: number; spreadMs: number; windowMs: number }
  | { op: 'fanin'; url: string; connections: number; size: number; rate: number; windows: number; windowMs: number }
  | { op: 'exit' };

/** A client process's answer. */
export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
