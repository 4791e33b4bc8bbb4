// `node scripts/run.mjs src/main.js [args…]`: runs the compiled entry point from dist/, building
// it first when the sources changed (see build.mjs). The entry is removed from argv, so the
// program sees exactly the arguments it was given.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, outDir } from './build.mjs';
import { installMappedStacks } from './mapped-stacks.mjs';

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <entry.js> [args…]\n');
  process.exit(64);
}
process.argv.splice(2, 1);
// Traces point into the sources; the maps are read only when a trace needs them.
if (!process.sourceMapsEnabled) installMappedStacks(join(outDir, '/'));
await ensureBuilt();
await import(pathToFileURL(join(outDir, entry)).href);
