import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdirs: string[] = [];
after(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

interface AppRun {
  readonly exitCode: number;
  readonly stderr: string;
  readonly outdir: string;
}

/** Runs bin/app.ts as the CDK CLI does: context in CDK_CONTEXT_JSON, output to CDK_OUTDIR. */
function runApp(context: Record<string, unknown>): Promise<AppRun> {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-app-'));
  outdirs.push(outdir);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/app.ts'],
      {
        cwd: root,
        // CDK_VALIDATION=false keeps the CDK's own validation out, so any validation report is cdk-nag's.
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify(context),
          CDK_OUTDIR: outdir,
          CDK_VALIDATION: 'false',
        },
      },
      (error, _stdout, stderr) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stderr, outdir }),
    );
  });
}

// Started together, awaited by each test: three processes share the wait.
const unknown = runApp({ env: 'qa' });
const missing = runApp({});
const dev = runApp({ env: 'dev', 'aws:cdk:bundling-stacks': [] });

describe('bin/app.ts', () => {
  it('fails on an unknown environment, naming the known ones', async () => {
    const run = await unknown;

    assert.notEqual(run.exitCode, 0);
    assert.match(run.stderr, /unknown environment "qa"; expected one of: dev, staging, prod/);
  });

  it('fails without an environment, naming the known ones', async () => {
    const run = await missing;

    assert.notEqual(run.exitCode, 0);
    assert.match(run.stderr, /no environment given; expected -c env=<name> with one of: dev, staging, prod/);
  });

  it("synthesizes the environment's four stacks, checked by cdk-nag", async () => {
    const run = await dev;

    assert.equal(run.exitCode, 0, run.stderr);
    const files = readdirSync(run.outdir);
    assert.deepEqual(files.filter((file) => file.endsWith('.template.json')).sort(), [
      'Vigil-dev-EventStore.template.json',
      'Vigil-dev-Ingest.template.json',
      'Vigil-dev-Monitoring.template.json',
      'Vigil-dev-Storage.template.json',
    ]);
    // The CDK writes a validation report only when a validation plugin ran; here that can only be cdk-nag.
    const report = JSON.parse(readFileSync(join(run.outdir, 'validation-report.json'), 'utf8'));
    assert.deepEqual(report.pluginReports, []);
  });
});
