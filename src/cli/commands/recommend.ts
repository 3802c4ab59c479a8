// `recommend <userId>`: what the service would serve the user now (no rules), ranked by the same code.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import { CliError } from '../errors.js';
import { formatTable } from './runs.js';
import { wholeNumber } from './seed.js';

export function registerRecommend(program: Command, context: () => CliContext): void {
  program
    .command('recommend')
    .description("a user's recommendations as the service serves them now (without rules)")
    .argument('<userId>', "the shop's id of the user")
    .option('--first <n>', 'how many', wholeNumber(1), 10)
    .option('--json', 'print JSON')
    .action(async (userId: string, options: { first: number; json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const user = await store.prisma.user.findUnique({ where: { externalId: userId } });
        if (!user) throw new CliError(`There is no user "${userId}".`);
        // Loaded when run: the serving stack is seconds of imports every other command would pay for.
        const [{ ActiveModel }, { Recommender }, { modelArtifacts }] = await Promise.all([
          import('../../serving/active-model.js'),
          import('../../serving/recommender.js'),
          import('../../store/blob/index.js'),
        ]);
        const activeModel = new ActiveModel(store.prisma, ctx.config.training.backend, ctx.log, modelArtifacts(store.pool, ctx.config.modelsDir, ctx.log));
        try {
          const recommender = new Recommender(store.pool, activeModel, { ratingMin: ctx.config.ratingMin, ratingMax: ctx.config.ratingMax }, ctx.log);
          const ranked = (await recommender.rank({ externalIds: [userId], limit: Math.min(options.first, 100), category: null, after: null })).get(userId);
          const items = ranked?.items ?? [];
          if (options.json)
            return console.log(JSON.stringify(items.map((i) => ({ productId: i.product.externalId, name: i.product.name, score: i.score, reason: i.reason }))));
          console.log(
            items.length === 0
              ? 'Nothing to recommend: no products the user has not rated.'
              : formatTable(
                  ['rank', 'product', 'name', 'category', 'score', 'reason'],
                  items.map((item, k) => [
                    String(k + 1),
                    item.product.externalId,
                    item.product.name,
                    item.product.category ?? '',
                    item.score.toFixed(3),
                    item.reason,
                  ]),
                ),
          );
        } finally {
          activeModel.close();
        }
      });
    });
}
