/**
 * Writes the machine-readable contract (JSON Schemas and the AsyncAPI document) from the zod
 * schemas in libs/contracts. Run after a build: `node dist/scripts/generate-contracts.js`
 * (`npm run contracts:generate`). A unit spec fails while the committed files differ from what
 * this would write, so a schema change cannot ship without its documents.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContractFiles } from '../libs/contracts/src/machine-readable.js';

// Relative to this file, so the script works from any working directory: it runs from
// dist/scripts/ after a build, two levels below the repository root.
const contractsDir = new URL('../../libs/contracts/', import.meta.url);

for (const [file, text] of Object.entries(renderContractFiles())) {
  const path = fileURLToPath(new URL(file, contractsDir));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
