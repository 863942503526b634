/** Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's self time. */
export interface SelfTime {
  /** "name file:line" (node_modules, dist/ and node: paths shortened). */
  readonly name: string;
  readonly ms: number;
  /** Share of the profile's busy time (idle excluded), %. */
  readonly percent: number;
}

const shorten = (url: string): string => {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  const bench = path.indexOf('/bench/');
  if (bench >= 0) return path.slice(bench + 1);
  return path;
};

/** The `top` functions by self time, and the busy time in all (ms), over the samples from `sinceUs` to `untilUs` (the profile's clock: process.hrtime). */
export function topSelfTime(file: string, sinceUs = 0, untilUs = Infinity, top = 10): { busyMs: number; rows: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let busy = 0;
  // timeDeltas[i] is the time from sample i-1 to sample i: it is spent where sample i landed.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!node || at < sinceUs || at > untilUs || node.callFrame.functionName === '(idle)') continue;
    const frame = node.callFrame;
    const where = shorten(frame.url);
    const key = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    busy += delta;
  }
  const rows = [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: busy > 0 ? (100 * us) / busy : 0 }));
  return { busyMs: busy / 1000, rows };
}
