#!/usr/bin/env bash
# Synthesizes Vigil as `cdk synth` does, bundling every Lambda with esbuild, and checks the result:
#   - synth succeeds, which includes cdk-nag AwsSolutions and the CDK's CloudFormation validation;
#   - every function's asset holds vigil-config.json equal to the environment's runtime config;
#   - cfn-lint reports no errors (when cfn-lint is installed; warnings are printed, not fatal).
# Usage: scripts/synth-check.sh [variant ...]   variant = <env>[:<metricStore>][:serverless], default: dev
#   (`serverless` synthesizes the OpenSearch Serverless event store: -c opensearchServerless=true)
# Example: scripts/synth-check.sh dev staging prod dev:cloudwatch dev:timestream:serverless
#   (about 15 s per variant on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."

variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then variants=(dev); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for variant in "${variants[@]}"; do
  IFS=: read -r env_name store event_store <<<"$variant"
  serverless=""
  if [ "$event_store" = "serverless" ]; then
    serverless=true
  elif [ -n "$event_store" ]; then
    echo "unknown event store \"$event_store\" in variant $variant; expected serverless or nothing" >&2
    exit 2
  fi
  out="$work/$variant"
  args=(-c "env=$env_name")
  if [ -n "$store" ]; then args+=(-c "metricStore=$store"); fi
  if [ -n "$serverless" ]; then args+=(-c "opensearchServerless=true"); fi

  echo "== synth $variant"
  started=$(date +%s)
  npx cdk synth "${args[@]}" --quiet -o "$out"
  echo "   synthesized in $(( $(date +%s) - started )) s"

  node --import tsx --input-type=module - "$out" "$env_name" "$store" "$serverless" <<'NODE'
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadEnvironment } from './lib/config/load-environment.ts';
import { toRuntimeConfig } from './lib/config/runtime-config.ts';

const [outdir, envName, store, serverless] = process.argv.slice(2);
const expected = toRuntimeConfig(
  loadEnvironment(envName, { metricStore: store || undefined, opensearchServerless: serverless || undefined }),
);
const problems = [];
let functions = 0;
let others = 0;
for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
  const template = JSON.parse(readFileSync(join(outdir, file), 'utf8'));
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    // Vigil's functions (VigilFunction) carry the Powertools service name; others (the CDK custom resource
    // provider framework's) bring their own code and no runtime config.
    if (!resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME) {
      others += 1;
      continue;
    }
    functions += 1;
    const asset = join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    try {
      const bundled = JSON.parse(readFileSync(join(asset, 'vigil-config.json'), 'utf8'));
      if (!isDeepStrictEqual(bundled, expected)) problems.push(`${file} ${id}: vigil-config.json is ${JSON.stringify(bundled)}`);
    } catch (error) {
      problems.push(`${file} ${id}: ${error.message}`);
    }
  }
}
if (functions === 0) problems.push('no Lambda functions were synthesized');
if (problems.length > 0) {
  console.error(`runtime config check failed, expected ${JSON.stringify(expected)}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `   ${functions} functions carry vigil-config.json for ${expected.environment} (${expected.metricStore}, ` +
    `${expected.eventStore}); ${others} CDK framework function(s) skipped`,
);
NODE

  if command -v cfn-lint >/dev/null 2>&1; then
    set +e
    cfn-lint "$out"/*.template.json
    lint=$?
    set -e
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    if (( lint & 2 )); then
      echo "cfn-lint found errors in $variant" >&2
      exit 1
    fi
    echo "   cfn-lint: no errors"
  else
    echo "   cfn-lint not installed; skipped"
  fi
done
