// `keys create|list|revoke`: API keys and their roles (src/access/api-keys.ts).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import { CliError } from '../errors.js';
import { ROLES } from '../../access/roles.js';
import { createApiKey, listApiKeys, revokeApiKey, ApiKeyInputError, type ApiKey } from '../../access/api-keys.js';
import { formatTable } from './runs.js';
import { wholeNumber } from './seed.js';

const day = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 19) : '');

export function formatKeys(keys: ApiKey[]): string {
  if (keys.length === 0) return 'No API keys yet: make one with `npm run cli -- keys create --role frontend --name "shop frontend"`.';
  return formatTable(
    ['id', 'role', 'name', 'key starts', 'created', 'revoked'],
    keys.map((k) => [String(k.id), k.role, k.name, `${k.prefix}…`, day(k.createdAt), day(k.revokedAt)]),
  );
}

export function registerKeys(program: Command, context: () => CliContext): void {
  const keys = program.command('keys').description('API keys with roles: frontend, backend, admin');
  keys
    .command('create')
    .description('make a key; it is printed once (only its hash is kept)')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--name <label>', 'what the key is for, e.g. "shop frontend"')
    .option('--json', 'print JSON')
    .action(async (options: { role: string; name: string; json?: boolean }) => {
      await withStore(context(), async (store) => {
        try {
          const { key, secret } = await createApiKey(store.prisma, { role: options.role, name: options.name });
          if (options.json) {
            console.log(JSON.stringify({ id: key.id, role: key.role, name: key.name, key: secret }));
          } else {
            console.log(`API key ${key.id} (${key.role}, "${key.name}"):\n\n  ${secret}\n`);
            console.log('Send it as "Authorization: Bearer <key>". It is shown only now: keep it somewhere safe.');
          }
        } catch (error) {
          if (error instanceof ApiKeyInputError) throw new CliError(error.message);
          throw error;
        }
      });
    });
  keys
    .command('list')
    .description('list the keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(context(), async (store) => {
        const all = await listApiKeys(store.prisma);
        console.log(options.json ? JSON.stringify(all.map(({ hash: _, ...k }) => k)) : formatKeys(all));
      });
    });
  keys
    .command('revoke')
    .description('revoke a key: every instance refuses it from now on')
    .argument('<id>', 'the key number (from keys list)', wholeNumber(1))
    .action(async (id: number) => {
      await withStore(context(), async (store) => {
        const key = await revokeApiKey(store.prisma, id);
        if (!key) throw new CliError(`No API key with id ${id}: see \`npm run cli -- keys list\`.`);
        console.log(`API key ${key.id} (${key.role}, "${key.name}") is revoked.`);
      });
    });
}
