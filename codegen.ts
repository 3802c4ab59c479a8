// `npm run codegen`: resolver types from schema.graphql (SDL first).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/api/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: true,
        contextType: '../context.js#ApiContext',
        mappers: {
          User: '../../store/generated/prisma/client.js#User as UserRow',
          Product: '../../store/generated/prisma/client.js#Product as ProductRow',
          Rating: '../../store/generated/prisma/client.js#Rating as RatingRow',
          ModelRun: '../../store/generated/prisma/client.js#ModelRun as ModelRunRow',
          ApiKey: '../../store/generated/prisma/client.js#ApiKey as ApiKeyRow',
          Promotion: '../../store/generated/prisma/client.js#Promotion as PromotionRow',
          TuningSearch: '../../store/generated/prisma/client.js#TuningSearch as TuningSearchRow',
          Experiment: '../../store/generated/prisma/client.js#Experiment as ExperimentRow',
          ExperimentVariant: '../../experiments/experiments.js#VariantResult',
          UserConnection: '../models.js#UserConnectionModel',
          ProductConnection: '../models.js#ProductConnectionModel',
          RatingConnection: '../models.js#RatingConnectionModel',
          ScoredProductConnection: '../../serving/types.js#ScoredProductConnectionModel',
        },
        scalars: { JSON: 'unknown', DateTime: 'Date | string', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};
export default config;
