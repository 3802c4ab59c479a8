// Field-level access control from schema.graphql's @access marks: every field
// of every object type has a least role, its own or its type's. The server
// refuses to start when one has none, so a new field cannot be public by
// accident. Fields above FRONTEND get a resolver that refuses callers below
// their role with FORBIDDEN (UNAUTHENTICATED without a key) for that field
// alone; FRONTEND fields, the hot path, are left untouched.
import {
  type GraphQLError,
  Kind,
  TypeInfo,
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { forbidden, unauthenticated } from '../api/errors.js';
import { roleAllows, type Caller, type Role } from './roles.js';

export const ACCESS_DIRECTIVE = 'access';

function roleIn(directives: readonly ConstDirectiveNode[] | undefined): Role | undefined {
  const mark = directives?.find((d) => d.name.value === ACCESS_DIRECTIVE);
  const arg = mark?.arguments?.find((a) => a.name.value === 'role');
  return arg && arg.value.kind === Kind.ENUM ? (arg.value.value.toLowerCase() as Role) : undefined;
}

/** Whether a field's mark lets a visitor token use it (`visitor: true`). */
function visitorIn(directives: readonly ConstDirectiveNode[] | undefined): boolean {
  const arg = directives?.find((d) => d.name.value === ACCESS_DIRECTIVE)?.arguments?.find((a) => a.name.value === 'visitor');
  return arg?.value.kind === Kind.BOOLEAN && arg.value.value;
}

/** "Type.field" of the fields a visitor token may use although they are above FRONTEND. */
export function visitorFields(schema: GraphQLSchema): Set<string> {
  const fields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) if (visitorIn(field.astNode?.directives)) fields.add(`${type.name}.${field.name}`);
  }
  return fields;
}

/** Whether `caller` may use `coordinate`, which needs `need`. */
const allows = (caller: Caller, need: Role, coordinate: string, visitors: Set<string>) =>
  roleAllows(caller.role, need) || (caller.visitor !== undefined && visitors.has(coordinate));

/** "Type.field" → the least role that may use it, for every field of every object type. Throws if any has none. */
export function fieldRoles(schema: GraphQLSchema): Map<string, Role> {
  const roles = new Map<string, Role>();
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRole = roleIn(type.astNode?.directives) ?? type.extensionASTNodes.map((n) => roleIn(n.directives)).find(Boolean);
    for (const field of Object.values(type.getFields())) {
      const role = roleIn(field.astNode?.directives) ?? typeRole;
      if (role) roles.set(`${type.name}.${field.name}`, role);
      else missing.push(`${type.name}.${field.name}`);
    }
  }
  if (missing.length > 0) {
    throw new Error(`schema.graphql: every field needs an @access(role: …) mark, on itself or its type; these have none: ${missing.join(', ')}`);
  }
  return roles;
}

/** The error a caller gets for a field above its role. */
export function denied(caller: Caller, need: Role, coordinate: string): GraphQLError {
  if (!caller.authenticated) {
    return unauthenticated(`${coordinate} needs a ${need} key: send "Authorization: Bearer <key>".`);
  }
  if (caller.visitor !== undefined) return forbidden(`${coordinate} needs a ${need} key; this request sent a visitor token.`);
  return forbidden(`${coordinate} needs a ${need} key; this request's key is a ${caller.role} key.`);
}

/** Guards every field above FRONTEND in place; returns the roles (for the plugin below). */
export function applyFieldAccess(schema: GraphQLSchema): Map<string, Role> {
  const roles = fieldRoles(schema);
  const visitors = visitorFields(schema);
  for (const [coordinate, need] of roles) {
    if (need === 'frontend') continue;
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[fieldName];
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: { caller: Caller }, info) => {
      if (!allows(context.caller, need, coordinate, visitors)) throw denied(context.caller, need, coordinate);
      return resolve(source, args, context, info);
    };
  }
  return roles;
}

/** The operation with the fragments it uses, as a document of its own (to walk only what will run). */
function operationDocument(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: { selectionSet: OperationDefinitionNode['selectionSet'] }[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!.selectionSet, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] };
}

/**
 * Checks every request before any resolver runs: a caller with no role at all
 * (PUBLIC_READS=false, no key) is refused whole, and so is a mutation that asks
 * for any field above the caller's role, so that a refused mutation has written
 * nothing. Queries are checked field by field as they resolve (see above).
 */
export function accessPlugin(schema: GraphQLSchema, roles: Map<string, Role>): ApolloServerPlugin<{ caller: Caller }> {
  const visitors = visitorFields(schema);
  const listener = {
    async didResolveOperation({
      document,
      operation,
      contextValue,
    }: {
      document: DocumentNode;
      operation?: OperationDefinitionNode | null;
      contextValue: { caller: Caller };
    }) {
      const { caller } = contextValue;
      if (caller.role === null) {
        throw unauthenticated('This service needs an API key for every request (PUBLIC_READS=false): send "Authorization: Bearer <key>".');
      }
      if (operation?.operation !== 'mutation') return;
      const typeInfo = new TypeInfo(schema);
      let refusal: GraphQLError | undefined;
      visit(
        operationDocument(document, operation),
        visitWithTypeInfo(typeInfo, {
          Field(node) {
            const parent = typeInfo.getParentType();
            if (refusal || !parent || node.name.value.startsWith('__')) return;
            const coordinate = `${getNamedType(parent).name}.${node.name.value}`;
            const need = roles.get(coordinate);
            if (need && !allows(caller, need, coordinate, visitors)) refusal = denied(caller, need, coordinate);
          },
        }),
      );
      if (refusal) throw refusal;
    },
  };
  return { requestDidStart: async () => listener };
}
