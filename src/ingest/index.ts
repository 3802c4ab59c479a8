// The bulk-loading API: parsers make a Dataset, importDataset writes it in one transaction.
export { importDataset, type ImportOptions } from './load.js';
export { readMovieLens, detectMovieLensLayout, type MovieLensLayout, type MovieLensOptions } from './movielens.js';
export { readRatingsCsvFile, type RatingsCsvOptions } from './csv.js';
export { generateSyntheticShop, seedShop, mulberry32, type SyntheticShop, type SyntheticShopOptions } from './synthetic.js';
export {
  RowProblems,
  ImportError,
  StrictImportError,
  ImportAbortedError,
  describeProblem,
  type RowProblemsOptions,
} from './problems.js';
export type * from './types.js';
