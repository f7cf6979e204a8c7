/** Sign-in, the session, sign-out and break-glass (cloud/src/auth). */
import { BreakGlassGrant, BreakGlassRequest, EmptyRequest, LoginRequest, LoginResponse, PmError, SessionInfo } from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

export function authRoutes(ctx: ApiContext) {
  return [
    route({
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: 'Sign in; returns a bearer token and the session (idle and absolute expiry)',
      auth: 'public',
      body: LoginRequest,
      response: LoginResponse,
      handler: ({ body, req }) => ctx.auth.login(body.username, body.password, { ip: req.ip }),
    }),
    route({
      method: 'get',
      path: '/api/auth/session',
      tag: 'auth',
      summary: 'The current session: user, role, wards, break-glass grants, expiry',
      auth: 'session',
      scope: 'user',
      response: SessionInfo,
      handler: ({ principal }) => principal!.session,
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      summary: 'End the session at once',
      auth: 'session',
      scope: 'user',
      body: EmptyRequest,
      response: EmptyRequest,
      handler: async ({ principal }) => {
        await ctx.auth.logout(principal!);
        return {};
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/break-glass',
      tag: 'auth',
      summary: 'Emergency access to a ward one is not assigned to, time-limited, with a reason (audited)',
      auth: 'session',
      scope: 'user',
      body: BreakGlassRequest,
      response: BreakGlassGrant,
      handler: async ({ principal, body }) => {
        if (!ctx.knownWards().includes(body.wardId)) throw new PmError('PM_ERR_NOT_FOUND', `no ward ${body.wardId}`);
        return ctx.auth.breakGlass(principal!, body.wardId, body.reason);
      },
    }),
  ];
}
