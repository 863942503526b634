/**
 * Printable counterexamples: what broke, the options, the server's bytes in
 * hex with the chunk sizes they were sent in, what the client reported and
 * what it sent — enough to turn a failure into a unit test.
 */
import type { WebSocketEvent } from '../../lib/events/events.js';
import { hex, preview, sizes } from './bytes.js';
import type { Violation } from './oracle.js';
import type { CaseRun } from './run-case.js';
import { describeScenario } from './scenario.js';

function eventText(e: WebSocketEvent): string {
  switch (e.name) {
    case 'text':
      return `text ${preview(new TextEncoder().encode(e.text))}`;
    case 'binary':
    case 'ping':
    case 'pong':
      return `${e.name} ${preview(e.data)}`;
    case 'closing':
    case 'closed':
      return `${e.name}(${e.code}, ${JSON.stringify(e.reason)})`;
    case 'disconnected':
      return `disconnected(${JSON.stringify(e.reason)}, graceful=${e.graceful})`;
    case 'connect_fail':
      return `connect_fail(${JSON.stringify(e.reason)})`;
    case 'rejected':
      return `rejected(${e.response.statusCode}, ${JSON.stringify(e.reason)})`;
    case 'protocol_error':
      return `protocol_error(${JSON.stringify(e.error)}, critical=${e.critical})`;
    case 'ready':
      return `ready(protocol=${e.protocol}, extensions=${[...e.extensions].join(',') || '-'})`;
    default:
      return e.name;
  }
}

/** A case's failure, printable. */
export function describeRun(run: CaseRun, violations: readonly Violation[]): string {
  const { log, scenario: s } = run;
  const script = log.script;
  const lines = [
    `${run.profile.name} case broke ${violations.length} rule(s):`,
    ...violations.map((v) => `  - [${v.rule}] ${v.detail}`),
    `client options: ${JSON.stringify({ ...s.client, closeTimeout: run.profile.closeTimeout, connectTimeout: run.connectTimeout, poll: 600_000 })}`,
    `server: ${JSON.stringify(s.server)}; verdict: ${JSON.stringify(script?.verdict ?? null)}`,
  ];
  if (script !== null) {
    lines.push(
      `server bytes (${script.stream.length}, head ${script.head.length} + frames ${script.frames.length}${s.mutations.edits.length > 0 ? `, mutated (${s.mutations.target})` : ''}): ${hex(script.stream, 1024)}`,
      `chunk sizes: ${sizes(script.chunks)}; sent ${log.sent.length} chunk(s), script ${log.scriptCompleted ? 'completed' : 'stopped early'}, server end: ${log.serverEnd ?? 'none'}`,
    );
  } else {
    lines.push('the server never saw the upgrade request');
  }
  lines.push(
    `client events: ${run.events.map(eventText).join(' → ')}${run.completed ? ' |' : run.error !== null ? ' #error' : ' (not completed)'}`,
    `client frames: ${log.clientFrames.map((f) => `${f.opcode.toString(16)}${f.masked ? '' : '!unmasked'}:${preview(f.payload, 16)}`).join(' ') || '(none)'}`,
    `timing: completed after ${run.completedAt === null ? '-' : (run.completedAt - run.startAt).toFixed(0)} ms; script stopped at ${log.scriptEndAt === null ? '-' : (log.scriptEndAt - run.startAt).toFixed(0)} ms; longest stall ${log.maxStall.toFixed(0)} ms`,
    `scenario: ${describeScenario(s)}`,
  );
  return lines.join('\n');
}
