import type { Command } from 'commander';
import { openDatabase, safeUrl } from '../../store/connect.js';
import type { CliContext } from '../context.js';

export function registerMigrate(program: Command, context: () => CliContext): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (the service and every command also do this on start)')
    .action(async () => {
      const { config, log } = context();
      const database = await openDatabase(config, log);
      try {
        const { applied, alreadyApplied } = database.migrations;
        const where = database.embedded ? 'the embedded PostgreSQL' : safeUrl(database.url);
        console.log(
          applied.length
            ? `Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}`
            : `${where} is up to date (${alreadyApplied} migration(s) applied earlier)`,
        );
      } finally {
        await database.stop();
      }
    });
}
