// Limits on what one GraphQL request may ask for, so that no single request
// (say 1,000 users × 100 recommendations × their ratings) can tie up the
// database and the event loop for everyone else:
// - depth: a validation rule, so Apollo checks it once per distinct query text
//   (its document cache keeps the verdict) and never per request;
// - cost: an estimate of how many objects the response can hold, from the list
//   sizes the request asks for (`first`, or the length of a list argument such
//   as `userIds`), multiplied down the selection. It depends on variables, so
//   it is computed per request, before any resolver runs (a few microseconds
//   for the queries the frontend sends).
// Both refuse the whole request with GRAPHQL_VALIDATION_FAILED (HTTP 400) and a
// message naming the limit. Introspection counts like any other field (lists
// without a size argument are estimated from the schema itself), except that
// `ofType` does not add depth: introspection clients ask for 7–9 levels of a
// type reference's wrappers, a chain of single objects that the cost still
// counts. The parser's own token limit bounds the document before either runs.
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isListType,
  getNullableType,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  isObjectType,
  isInterfaceType,
  isInputObjectType,
  isEnumType,
  isAbstractType,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

export const MAX_QUERY_DEPTH = 10;
export const MAX_QUERY_COST = 100_000;
/** Tokens a document may have (graphql-js parseOptions.maxTokens): a 1,000-user batch written inline has 1,029. */
export const MAX_QUERY_TOKENS = 20_000;
/**
 * Estimated sizes of lists of data that take no size argument. Others count 1: their size is already counted
 * above them (a UserRecommendations' list holds the `first` of recommendationsForUsers).
 */
const DATA_LIST_SIZES: [string, number][] = [['ModelRun.history', 50]];

function refusal(message: string, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 }, ...extra } });
}

/** Deepest chain of fields under a selection set (`ofType` adds no depth, see above). */
function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const own = selection.name.value === 'ofType' ? 0 : 1;
      deepest = Math.max(deepest, own + depthOf(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A fragment that spreads itself is reported by graphql's own rules; do not loop here.
      if (!fragment || seen.has(name)) continue;
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return deepest;
}

/** Validation rule: refuses operations nested deeper than `maxDepth` fields. */
export function depthLimitRule(maxDepth = MAX_QUERY_DEPTH) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          context.reportError(
            refusal(`The query is ${depth} fields deep; at most ${maxDepth} are allowed. Ask for less nesting, or split it into several queries.`, {
              depth,
              maxDepth,
            }),
          );
        }
      },
    };
  };
}

/**
 * Estimated lengths of the lists that take no size argument, by field: for introspection the average over
 * the schema (how many types, how many fields per type over all types, so that `types { fields }` comes to
 * the schema's whole number of fields, and so on), and DATA_LIST_SIZES. Keyed by the field objects so
 * that a request's walk allocates nothing to look them up.
 */
function estimatedListSizes(schema: GraphQLSchema): Map<GraphQLField<unknown, unknown>, number> {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const fields = types.flatMap((t) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : []));
  const count = (f: (t: (typeof types)[number]) => number) => types.reduce((n, t) => n + f(t), 0);
  const mean = (total: number, over: number) => Math.max(1, Math.ceil(total / Math.max(1, over)));
  const args = fields.reduce((n, f) => n + f.args.length, 0);
  const sizes: [string, number][] = [
    ...DATA_LIST_SIZES,
    ['__Schema.types', types.length],
    ['__Schema.directives', directives.length],
    ['__Type.fields', mean(fields.length, types.length)],
    [
      '__Type.inputFields',
      mean(
        count((t) => (isInputObjectType(t) ? Object.keys(t.getFields()).length : 0)),
        types.length,
      ),
    ],
    [
      '__Type.enumValues',
      mean(
        count((t) => (isEnumType(t) ? t.getValues().length : 0)),
        types.length,
      ),
    ],
    [
      '__Type.interfaces',
      mean(
        count((t) => (isObjectType(t) || isInterfaceType(t) ? t.getInterfaces().length : 0)),
        types.length,
      ),
    ],
    [
      '__Type.possibleTypes',
      mean(
        count((t) => (isAbstractType(t) ? schema.getPossibleTypes(t).length : 0)),
        types.length,
      ),
    ],
    ['__Field.args', mean(args, fields.length)],
    [
      '__Directive.args',
      mean(
        directives.reduce((n, d) => n + d.args.length, 0),
        directives.length,
      ),
    ],
  ];
  const byField = new Map<GraphQLField<unknown, unknown>, number>();
  for (const [coordinate, size] of sizes) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (isObjectType(type)) byField.set(type.getFields()[fieldName], size);
  }
  return byField;
}

const listSizesBySchema = new WeakMap<GraphQLSchema, Map<GraphQLField<unknown, unknown>, number>>();

/**
 * How many items a field returns at most: its `first` (or that argument's default), or the length of a list
 * argument; for the lists above, their estimate.
 */
function listSize(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  let sizes = listSizesBySchema.get(schema);
  if (!sizes) listSizesBySchema.set(schema, (sizes = estimatedListSizes(schema)));
  const estimate = sizes.get(field);
  if (estimate !== undefined) return estimate;
  let size = 1;
  for (const arg of field.args) {
    const value = args[arg.name];
    if (Array.isArray(value)) size *= Math.max(1, value.length);
  }
  if ('first' in args || field.args.some((a) => a.name === 'first')) {
    const first = args.first;
    size *= typeof first === 'number' && first > 0 ? first : DEFAULT_PAGE_SIZE;
  }
  return size;
}

/**
 * The estimated cost of an operation: every object in the response counts 1,
 * and a field's list size multiplies the cost of everything under it.
 * Scalars are free except when they are lists sized by an argument (scores).
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const rootType =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!rootType) return 0;

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, seen);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        const next = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        if (condition && isCompositeType(condition)) total += costOf(fragment.selectionSet, condition, next);
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, seen: Set<string>): number => {
    if (node.name.value === '__typename' || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const name = node.name.value;
    const field = name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : parent.getFields()[name];
    if (!field) return 0;
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, node, variables);
    } catch {
      args = {}; // bad arguments are reported by execution with their own error
    }
    const size = listSize(schema, field, args);
    const type = getNamedType(field.type);
    if (isCompositeType(type)) return size * (1 + (node.selectionSet ? costOf(node.selectionSet, type, seen) : 0));
    return isListType(getNullableType(field.type)) && size > 1 ? size : 0;
  };

  return costOf(operation.selectionSet, rootType, new Set());
}

/** Apollo plugin: refuses a request whose estimated cost is over `maxCost`, before any resolver runs. */
export function costLimitPlugin(maxCost = MAX_QUERY_COST): ApolloServerPlugin {
  // One listener object for every request: nothing is allocated per request but the walk itself.
  const listener = {
    async didResolveOperation({ schema, document, operation, request, contextValue }: GraphQLRequestContextDidResolveOperation<BaseContext>) {
      if (!operation) return;
      const cost = operationCost(schema, document, operation, request.variables ?? {});
      // The executor compiles a large query at once (src/api/jit.ts).
      (contextValue as { queryCost?: number }).queryCost = cost;
      if (cost > maxCost) {
        throw refusal(
          `The query could return about ${cost.toLocaleString('en-US')} objects; at most ${maxCost.toLocaleString('en-US')} are allowed. Ask for fewer items (first, userIds) or less nesting.`,
          { cost, maxCost },
        );
      }
    },
  };
  return { requestDidStart: async () => listener };
}
