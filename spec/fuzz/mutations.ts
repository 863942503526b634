/**
 * Mutations of a rendered byte stream (bit flips, inserted, deleted,
 * overwritten or repeated bytes, truncation) and the chunking that decides
 * how the stream reaches the client: whole, one byte at a time, at random
 * offsets, or in fixed-size pieces. Offsets are plain naturals taken modulo
 * the stream's length, so that fast-check's shrinking keeps them meaningful.
 */
import fc from 'fast-check';
import { concat } from './bytes.js';

/** One edit of the stream. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'repeat'; readonly at: number; readonly count: number }
  | { readonly kind: 'truncate'; readonly at: number };

/** The edits and where they apply: the frames only, or the whole stream (the response head too). */
export interface MutationPlan {
  readonly target: 'frames' | 'all';
  readonly edits: readonly Mutation[];
}

/** How the stream is cut into the chunks the client receives. */
export type Chunking =
  | { readonly kind: 'whole' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'cuts'; readonly cuts: readonly number[] }
  | { readonly kind: 'fixed'; readonly size: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** No edits most of the time (valid streams must go through intact), else up to three. */
export const mutationPlan: fc.Arbitrary<MutationPlan> = fc.oneof(
  { arbitrary: fc.constant({ target: 'frames' as const, edits: [] }), weight: 6 },
  { arbitrary: fc.record({ target: fc.constant('frames' as const), edits: fc.array(mutation, { minLength: 1, maxLength: 3 }) }), weight: 4 },
  { arbitrary: fc.record({ target: fc.constant('all' as const), edits: fc.array(mutation, { minLength: 1, maxLength: 2 }) }), weight: 1 },
);

/** Whole, one byte at a time, random cuts, fixed sizes. */
export const chunking: fc.Arbitrary<Chunking> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'whole' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'bytes' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cuts' as const), cuts: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('fixed' as const), size: fc.integer({ min: 1, max: 700 }) }), weight: 1 },
);

/** Applies one edit. */
function apply(bytes: Uint8Array, edit: Mutation): Uint8Array {
  const at = edit.at % (bytes.length + 1);
  switch (edit.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at % bytes.length]! ^= 1 << edit.bit;
      return out;
    }
    case 'insert':
      return concat([bytes.subarray(0, at), edit.bytes, bytes.subarray(at)]);
    case 'delete':
      return concat([bytes.subarray(0, at), bytes.subarray(at + edit.count)]);
    case 'overwrite': {
      const out = bytes.slice();
      out.set(edit.bytes.subarray(0, Math.max(0, bytes.length - at)), at);
      return out;
    }
    case 'repeat':
      return concat([bytes.subarray(0, at + 1), ...Array.from({ length: edit.count }, () => bytes.subarray(at, at + 1)), bytes.subarray(at + 1)]);
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

/** Applies the edits in order. */
export const mutate = (bytes: Uint8Array, edits: readonly Mutation[]): Uint8Array => edits.reduce(apply, bytes);

/**
 * Cuts `stream` into chunks. One byte at a time stops after `maxChunks` chunks (the rest goes in one), so that a
 * 70 KiB head does not take 70,000 socket writes.
 */
export function split(stream: Uint8Array, plan: Chunking, maxChunks: number): Uint8Array[] {
  if (stream.length === 0) return [];
  const chunks: Uint8Array[] = [];
  const push = (from: number, to: number): void => {
    if (to > from) chunks.push(stream.subarray(from, to));
  };
  switch (plan.kind) {
    case 'whole':
      push(0, stream.length);
      break;
    case 'bytes': {
      const ones = Math.min(stream.length, maxChunks);
      for (let i = 0; i < ones; i++) push(i, i + 1);
      push(ones, stream.length);
      break;
    }
    case 'cuts': {
      const points = [...new Set(plan.cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
      let from = 0;
      for (const point of points) {
        push(from, point);
        from = Math.max(from, point);
      }
      push(from, stream.length);
      break;
    }
    case 'fixed': {
      const size = Math.max(plan.size, Math.ceil(stream.length / maxChunks));
      for (let from = 0; from < stream.length; from += size) push(from, Math.min(stream.length, from + size));
      break;
    }
  }
  return chunks;
}
