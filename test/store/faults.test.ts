// Which errors mean "the database cannot be reached", as pg, Prisma and its driver adapter give them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDatabaseUnavailable } from '../../src/store/faults.js';

test('connection failures are recognised through every wrapper; ordinary errors are not', () => {
  const unavailable: unknown[] = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
    new Error('timeout exceeded when trying to connect'),
    new Error('Connection terminated unexpectedly'),
    // Prisma with @prisma/adapter-pg, as measured in a restart.
    Object.assign(new Error('Server has closed the connection.'), {
      code: 'P1017',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } } },
    }),
    Object.assign(new Error('x'), { meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } } }),
    // graphql-js wraps what a resolver threw.
    { message: 'wrapped', originalError: Object.assign(new Error('x'), { code: '08006' }) },
    new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
  ];
  for (const error of unavailable) assert.equal(isDatabaseUnavailable(error), true, JSON.stringify(error));
  const ordinary: unknown[] = [
    new Error('boom'),
    Object.assign(new Error('duplicate key'), { code: '23505' }),
    Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }),
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    null,
    'text',
  ];
  for (const error of ordinary) assert.equal(isDatabaseUnavailable(error), false, JSON.stringify(error));
});
