import { EXIT } from './exit-codes.js';
import { nodeVersionProblem } from './node-version.js';

/*
 * Imported first by the entry points: ES modules run in import order, so this refuses a Node
 * below the floor before any other module (Nest, kafkajs, undici) runs and fails in its own way.
 */
const problem = nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(`config error: ${problem}\n`);
  process.exit(EXIT.config);
}
