// `npm run docs:config`: writes docs/configuration.md from the declared variables (src/environment.ts);
// test/config.test.ts fails when the file and the declarations differ.
import fs from 'node:fs';
import path from 'node:path';
import { configurationDoc } from '../src/environment.js';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'configuration.md');
fs.writeFileSync(file, configurationDoc());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
