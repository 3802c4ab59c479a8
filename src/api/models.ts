// The objects resolvers pass around for schema types that are not database rows
// (codegen's "mappers", see codegen.ts).
import type { User, Product, Rating } from '../store/catalog.js';
import type { Connection } from './pagination.js';

export type UserConnectionModel = Connection<User>;
export type ProductConnectionModel = Connection<Product>;
export type RatingConnectionModel = Connection<Rating>;
