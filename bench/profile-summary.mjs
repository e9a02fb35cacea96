#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): the functions with the most
// self time, and the share of time per file/package, so the bottleneck is readable without DevTools.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) {
  process.stderr.write('Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

// Self time per node: sum of sampling intervals attributed to it.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const where = (frame) => {
  const url = frame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'npm:');
  return url === '' ? '(native)' : url.replace(/.*\/packages\//, 'packages/');
};
const functions = new Map();
const files = new Map();
for (const [id, micros] of self) {
  const frame = byId.get(id).callFrame;
  const file = where(frame);
  const key = `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + micros);
  const group = file.startsWith('npm:')
    ? file
        .split('/')
        .slice(0, file.startsWith('npm:@') ? 2 : 1)
        .join('/')
    : file;
  files.set(group, (files.get(group) ?? 0) + micros);
}

// Inclusive time of the project's own functions (synchronous stacks only: time after an await is
// attributed to whatever resumed it).
const inclusive = new Map();
for (const [id, micros] of self) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at).callFrame;
    if (!frame.url.includes('/packages/') || frame.url.includes('node_modules')) continue;
    const key = `${frame.functionName || '(anonymous)'}  ${where(frame)}:${frame.lineNumber + 1}`;
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    seen.add(key);
  }
}

process.stdout.on('error', () => process.exit(0));
const print = (title, map, top) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)} %  ${key}\n`);
  }
};
process.stdout.write(`${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('Self time by function', functions, Number(values.top));
print('Self time by file or package', files, Number(values.top));
print('Inclusive time of project functions', inclusive, Number(values.top));
