/** Administration: users and the audit log (admin role only). */
import { z } from 'zod';
import { AuditEntry, AuditQuery, AuditVerifyResult, UserCreateRequest, UserSummary } from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

export function adminRoutes(ctx: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/users',
      tag: 'admin',
      summary: 'Users with their role and wards',
      auth: 'session',
      roles: ['admin'],
      scope: 'user',
      response: z.object({ users: z.array(UserSummary) }).strict(),
      handler: async () => ({ users: await ctx.auth.users.list(ctx.db) }),
    }),
    route({
      method: 'post',
      path: '/api/users',
      tag: 'admin',
      summary: 'Create a user (password of 12+ characters), with a role and wards',
      auth: 'session',
      roles: ['admin'],
      scope: 'user',
      audit: 'user.create',
      body: UserCreateRequest,
      response: UserSummary,
      handler: ({ body }) => ctx.auth.users.create(ctx.db, body),
    }),
    route({
      method: 'get',
      path: '/api/audit',
      tag: 'admin',
      summary: 'Audit entries after a sequence number (hash-chained, append-only)',
      auth: 'session',
      roles: ['admin'],
      scope: 'user',
      audit: 'audit.read',
      query: AuditQuery,
      response: z.object({ entries: z.array(AuditEntry) }).strict(),
      handler: async ({ query }) => ({ entries: await ctx.audit.list({ after: query.after, limit: query.limit }) }),
    }),
    route({
      method: 'get',
      path: '/api/audit/verify',
      tag: 'admin',
      summary: 'Walk the audit chain and report the first broken entry, if any',
      auth: 'session',
      roles: ['admin'],
      scope: 'user',
      response: AuditVerifyResult,
      handler: () => ctx.audit.verify(),
    }),
  ];
}
