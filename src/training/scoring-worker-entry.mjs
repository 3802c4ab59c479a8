// Worker threads do not inherit tsx's loader from the parent, so the scoring
// thread registers it before loading the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./scoring-worker.ts');
