/**
 * express 5 middleware: who is calling. The session token comes from `Authorization: Bearer <token>` or, for GET and
 * HEAD only (unless allowed), from the `vigil_session` cookie. A browser attaches cookies to cross-site form posts but
 * never an Authorization header, so accepting the cookie for state-changing methods would open them to CSRF
 * (OWASP CSRF prevention cheat sheet); a dashboard that uses the cookie should still set it SameSite=Strict.
 *
 * On failure the middleware throws the PmError (PM_ERR_UNAUTHENTICATED); express 5 passes a rejected promise to the
 * app's error handler, which answers 401 with the catalogue body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PmError } from '@vigil/contracts';
import type { AuthService, Principal } from './auth-service.ts';

declare global {
  // express's documented augmentation point for Request (@types/express-serve-static-core).
  namespace Express {
    interface Request {
      /** Set by sessionMiddleware; read it through principalOf(req). */
      principal?: Principal;
    }
  }
}

export const SESSION_COOKIE = 'vigil_session';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235 §2.1), or undefined. */
export function bearerToken(req: { headers: IncomingHttpHeaders }): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** One cookie's value from a Cookie header (RFC 6265 §4.2.1), without a cookie-parser dependency. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The session token of a request: the Bearer token, else (GET/HEAD only, unless allowed) the vigil_session cookie. */
export function requestToken(req: { headers: IncomingHttpHeaders; method: string }, options: { cookieForUnsafeMethods?: boolean } = {}): string | undefined {
  const token = bearerToken(req);
  if (token !== undefined || !(options.cookieForUnsafeMethods || SAFE_METHODS.has(req.method))) return token;
  return cookieValue(req.headers.cookie, SESSION_COOKIE);
}

export function sessionMiddleware(auth: Pick<AuthService, 'authenticate'>, options: { cookieForUnsafeMethods?: boolean } = {}): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.principal = await auth.authenticate(requestToken(req, options));
    next();
  };
}

/** The authenticated principal; 401 if the route was mounted without sessionMiddleware (fail closed). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new PmError('PM_ERR_UNAUTHENTICATED', 'sign-in required');
  return req.principal;
}
