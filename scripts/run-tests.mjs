#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (Node 20 has no glob support in --test).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const files = findTests(join(root, 'test'))
  .filter((file) => only.length === 0 || only.some((pattern) => file.includes(pattern)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${only.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit', env: { CDK_VALIDATION: 'false', ...process.env } },
);
process.exit(result.status ?? 1);
