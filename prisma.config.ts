// Prisma 7 reads the connection from here, not from schema.prisma. Only the CLI
// uses it (`prisma generate` needs no database; `migrate status|deploy` do, where
// the CLI can download its engine). The service itself connects through
// src/store/db.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/postgres' },
});
