#!/usr/bin/env node
// Checks (default) or rewrites (`--local`) each package's API report,
// libs/<lib>/api/<lib>.api.md and <lib>-testing.api.md, from the built
// dist/*.d.ts (run `npm run build` first). A check fails when a package's public
// API differs from its committed report, so every change to the surface shows
// up in review. One api-extractor config per entry point: every exported
// subpath of a lib's package.json has one, except the subpaths below.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// `./internal` is shared between the @cello packages (pinned to the same
// version), not a public API; `./package.json` has no types.
const UNREPORTED_SUBPATHS = new Set(['./package.json', './internal']);

function configFileFor(subpath) {
  return subpath === '.' ? 'api-extractor.json' : `api-extractor.${subpath.slice(2)}.json`;
}

// Every lib's entry points, each with the config that reports it; an entry
// point without a config is a missing report, not a skipped one.
function findEntryPoints(root) {
  const libsDir = path.join(root, 'libs');
  const entries = [];
  const problems = [];
  for (const lib of fs.readdirSync(libsDir).sort()) {
    const packageJson = path.join(libsDir, lib, 'package.json');
    if (!fs.existsSync(packageJson)) continue;
    const { name, exports: exportMap = { '.': {} } } = JSON.parse(
      fs.readFileSync(packageJson, 'utf8'),
    );
    for (const subpath of Object.keys(exportMap)) {
      if (UNREPORTED_SUBPATHS.has(subpath)) continue;
      const configFile = path.join(libsDir, lib, configFileFor(subpath));
      if (fs.existsSync(configFile))
        entries.push({ name: `${name}${subpath.slice(1)}`, configFile });
      else
        problems.push(
          `${name} exports "${subpath}" but ${path.relative(root, configFile)} is missing`,
        );
    }
  }
  return { entries, problems };
}

// Runs one config; `succeeded` is false when the report differs (unless
// local, which rewrites it) or on any error or warning.
function runExtractor(configFile, { local, quiet }) {
  const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');
  const config = ExtractorConfig.loadFileAndPrepare(configFile);
  // api-extractor writes a first report only into an existing folder.
  if (local) fs.mkdirSync(config.reportFolder, { recursive: true });
  return Extractor.invoke(config, {
    localBuild: local,
    showVerboseMessages: false,
    printApiReportDiff: !local && !quiet,
    messageCallback: quiet
      ? (message) => {
          message.handled = true;
        }
      : undefined,
  });
}

function main() {
  const local = process.argv.includes('--local');
  const root = path.resolve(__dirname, '..');
  const { entries, problems } = findEntryPoints(root);
  const failed = [...problems];
  for (const { name, configFile } of entries) {
    let result;
    try {
      result = runExtractor(configFile, { local, quiet: false });
    } catch (error) {
      // Mostly a missing dist/*.d.ts: api-extractor refuses the config then.
      failed.push(`${name}: ${error.message} (run \`npm run build\` first)`);
      continue;
    }
    if (!result.succeeded) {
      failed.push(
        result.apiReportChanged && !local
          ? `${name}: the public API differs from its report (diff above); if intended, run \`npm run api:update\` and commit the report`
          : `${name}: ${result.errorCount} error(s), ${result.warningCount} warning(s) (above)`,
      );
    } else if (result.apiReportChanged) {
      console.log(`${name}: report updated`);
    }
  }
  if (failed.length > 0) {
    console.error(`\nAPI reports: ${failed.length} problem(s):\n- ${failed.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `API reports: ${entries.length} entry points ${local ? 'written' : 'match their reports'}.`,
    );
  }
}

if (require.main === module) main();

module.exports = { findEntryPoints, runExtractor };
