/**
 * Memory per idle connection for one contender, in a fresh process:
 *   node --expose-gc --import tsx bench/memory.ts <contender> <url> <n>
 * Prints JSON {rss, heap} in bytes per connection.
 */
import * as contenders from './contenders.js';

async function main(): Promise<void> {
  const [name, url, n] = process.argv.slice(2) as [string, string, string];
  const all = [contenders.lomond, contenders.ws, contenders.native, contenders.rxjsWebSocket].filter((c) => c !== null);
  const contender = all.find((c) => c!.name === name)!;
  const gc = (globalThis as { gc?: () => void }).gc!;
  // Warm up the code paths with a few connections first.
  for (const close of await Promise.all(Array.from({ length: 5 }, () => contender.idle(`${url}/idle`)))) close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const before = process.memoryUsage();
  const closers: Array<() => void> = [];
  const count = Number(n);
  for (let i = 0; i < count; i += 50) {
    closers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => contender.idle(`${url}/idle`)))));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const after = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count }) + '\n');
  closers.forEach((close) => close());
  process.exit(0);
}

void main();
