// GraphQL execution compiled by graphql-jit, handed to Apollo Server through its
// gateway interface: since Apollo Server 4 that is the one way to give it an
// executor (its migration guide says so for custom executors). Parsing,
// validation, the plugins (access, cost limit) and error formatting stay
// Apollo's; only the execution of an already validated document changes.
//
// Why: graphql-js resolves every field of every object through a generic
// path (argument coercion, info objects, promises per field); a
// recommendationsForUsers batch of 1,000 users × 10 products has ~60,000
// fields, and compiled it runs in about two thirds of the time (docs/benchmarks.md).
//
// A compiled query is generated code and costs far more memory than its text, so
// only a query text seen before is compiled (a client that inlines literals sends
// each text once), or one whose answer is large enough that running it generically
// costs more than compiling it (the cost limit's estimate, at least
// COMPILE_AT_ONCE_COST objects: the first batch after a start then runs compiled),
// and at most MAX_COMPILED are kept, least recently used first out. Anything else
// runs on graphql-js's own execute, with the same resolvers.
import { execute, getVariableValues, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { GatewayInterface, GatewayExecutor } from '@apollo/server-gateway-interface';

/** Compiled queries kept (see bench/query-texts.ts for what one costs). */
export const MAX_COMPILED = 500;
/** Query texts remembered as seen once, to compile on the second sight. */
const MAX_SEEN = 20_000;
/** Estimated objects in the answer (query-limits.ts) from which a query is compiled on first sight. */
export const COMPILE_AT_ONCE_COST = 2_000;

export interface JitOptions {
  /** Rewrites a result's errors (e.g. to code database outages) before Apollo formats them. */
  mapErrors?: (errors: readonly GraphQLError[]) => readonly GraphQLError[];
}

export function jitGateway(schema: GraphQLSchema, options: JitOptions = {}): GatewayInterface & { compiledQueries: () => number } {
  const compiled = new LRUCache<string, CompiledQuery>({ max: MAX_COMPILED });
  const seen = new LRUCache<string, true>({ max: MAX_SEEN });
  const { mapErrors } = options;
  const run: GatewayExecutor = async ({ document, operation, operationName, request, context, queryHash }) => {
    const key = `${queryHash}:${operationName ?? ''}`;
    let query = compiled.get(key);
    if (!query) {
      const large = ((context as { queryCost?: number }).queryCost ?? 0) >= COMPILE_AT_ONCE_COST;
      if (!large && !seen.has(key)) {
        seen.set(key, true);
        return execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
      }
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      compiled.set(key, (query = result));
    }
    // Variables are checked by graphql-js, exactly as its execute would: Apollo recognises those
    // errors and answers BAD_USER_INPUT (graphql-jit words its own differently).
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 50 });
    if (variables.errors) return { errors: variables.errors };
    return query.query(undefined, context, request.variables ?? {});
  };
  const executor: GatewayExecutor = !mapErrors
    ? run
    : async (requestContext) => {
        const result = (await run(requestContext)) as ExecutionResult;
        return result.errors ? { ...result, errors: mapErrors(result.errors) } : result;
      };
  return {
    compiledQueries: () => compiled.size,
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
