// Worker threads do not inherit tsx's loader from the parent, so the thread
// registers it before loading the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./member-worker.ts');
