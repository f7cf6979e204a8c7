import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { ErrorBody, isPmError, PmError } from '@vigil/contracts';
import { createAuditLog, type AuditLog } from '../src/audit/audit-log.ts';
import { createAuthService, type AuthConfig, type AuthService } from '../src/auth/auth-service.ts';
import { principalOf, sessionMiddleware } from '../src/auth/http-auth.ts';
import { hashPassword, needsRehash, verifyPassword } from '../src/auth/password-hash.ts';
import { socketAuthMiddleware, socketPrincipal, watchSessionExpiry } from '../src/auth/socket-auth.ts';
import type { Db } from '../src/storage/db.ts';
import { openSqliteDb } from '../src/storage/sqlite-db.ts';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const PASSWORD = 'correct horse battery staple';

let db: Db;
let audit: AuditLog;
let auth: AuthService;
let t: number;
const now = () => t;

async function setup(config: Partial<AuthConfig> = {}): Promise<void> {
  db = openSqliteDb(':memory:');
  await db.migrate();
  t = T0;
  audit = createAuditLog(db, { now });
  // No principal cache by default, so every step below reads the database; the cache has its own test.
  auth = createAuthService({ db, audit, now, config: { principalCacheMs: 0, ...config } });
  await auth.users.create(db, { username: 'alice', password: PASSWORD, role: 'clinician', wards: ['ward-a'] });
}

/** The PmError a promise rejects with (fails the test if it resolves or rejects with something else). */
async function pmError(promise: Promise<unknown>): Promise<PmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPmError(err)) throw new Error(`expected a PmError, got ${String(err)}`);
  return err;
}

function thrown(fn: () => unknown): PmError {
  try {
    fn();
  } catch (err) {
    if (isPmError(err)) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

async function auditActions(): Promise<string[]> {
  return (await audit.list({ limit: 1000 })).map((e) => e.action);
}

/** Every text of every row of the auth and audit tables, to search for leaked secrets. */
async function allStoredText(): Promise<string> {
  const tables = ['users', 'auth_sessions', 'break_glass_grants', 'audit_log'];
  const rows = await Promise.all(tables.map((table) => db.all(`SELECT * FROM ${table}`)));
  return JSON.stringify(rows);
}

afterEach(async () => {
  await db?.close();
});

describe('password hashing', () => {
  it('is self-describing scrypt, verifies the right password only, and flags other parameters for re-hash', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, hash)).toBe(false);
    expect(await hashPassword(PASSWORD)).not.toBe(hash); // salted
    expect(await verifyPassword(PASSWORD, 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash(hash.replace('$32768$', '$16384$'))).toBe(true);
  });
});

describe('login', () => {
  beforeEach(() => setup());

  it('gives a 256-bit token and the session; audited without the password', async () => {
    const { token, session } = await auth.login('alice', PASSWORD, { ip: '10.0.0.7' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({
      username: 'alice',
      role: 'clinician',
      wards: ['ward-a'],
      breakGlass: [],
      idleExpiresAt: T0 + 15 * MIN,
      absoluteExpiresAt: T0 + 12 * 60 * MIN,
    });
    const [login] = await audit.list();
    expect(login).toMatchObject({ actor: 'alice', role: 'clinician', action: 'auth.login', detail: { ip: '10.0.0.7' } });
    expect(await allStoredText()).not.toContain(PASSWORD);
  });

  it('stores only the SHA-256 of the token: the raw token is nowhere in the database', async () => {
    const { token } = await auth.login('alice', PASSWORD, {});
    const stored = await allStoredText();
    expect(stored).not.toContain(token);
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await db.get('SELECT username FROM auth_sessions WHERE token_hash = ?', [hash])).toEqual({ username: 'alice' });
    expect((await auth.authenticate(token)).username).toBe('alice');
  });

  it('answers a wrong password and an unknown user with the same error, and audits both without the password', async () => {
    const wrong = await pmError(auth.login('alice', 'not the password at all', {}));
    const unknown = await pmError(auth.login('bob', 'not the password at all', {}));
    const junk = await pmError(auth.login('Hunter2-Is-My-Password!', 'x', {}));
    for (const err of [wrong, unknown, junk]) {
      expect(err.code).toBe('PM_ERR_UNAUTHENTICATED');
      expect(err.message).toBe('wrong username or password');
    }
    const failed = await audit.list();
    expect(failed.map((e) => [e.action, e.actor, e.detail?.reason])).toEqual([
      ['auth.login.failed', 'alice', 'wrong-password'],
      ['auth.login.failed', 'bob', 'unknown-user'],
      ['auth.login.failed', '(invalid username)', 'unknown-user'],
    ]);
    const stored = await allStoredText();
    expect(stored).not.toContain('not the password at all');
    expect(stored).not.toContain('Hunter2-Is-My-Password!');
  });

  it('spends scrypt time on an unknown user too (no user enumeration by timing)', async () => {
    await pmError(auth.login('bob', 'warm up the dummy hash', {}));
    const time = async (username: string) => {
      const start = performance.now();
      await pmError(auth.login(username, 'not the password at all', {}));
      return performance.now() - start;
    };
    const known = Math.min(await time('alice'), await time('alice'));
    const unknown = Math.min(await time('bob'), await time('bob'));
    expect(unknown).toBeGreaterThan(known * 0.3); // without the dummy verify it would be ~0.1 ms against ~50 ms
  });

  it('refuses a disabled user with the same error, even with the right password', async () => {
    await auth.users.disable(db, 'alice');
    const err = await pmError(auth.login('alice', PASSWORD, {}));
    expect([err.code, err.message]).toEqual(['PM_ERR_UNAUTHENTICATED', 'wrong username or password']);
    expect((await audit.list()).at(-1)).toMatchObject({ action: 'auth.login.failed', detail: { reason: 'disabled' } });
  });

  it('brakes guessing: after 5 failures the username is refused for a while (audited), then works again', async () => {
    for (let i = 0; i < 5; i++) await pmError(auth.login('alice', `guess number ${i}`, {}));
    const locked = await pmError(auth.login('alice', PASSWORD, {}));
    expect(locked.code).toBe('PM_ERR_RATE_LIMITED');
    expect(await auditActions()).toContain('auth.login.locked');
    t += 5 * MIN;
    expect((await auth.login('alice', PASSWORD, {})).session.username).toBe('alice');
  });

  it('creates the bootstrap admin on first start only', async () => {
    const fresh = openSqliteDb(':memory:');
    await fresh.migrate();
    const service = createAuthService({ db: fresh, audit: createAuditLog(fresh, { now }), now });
    expect(await service.ensureBootstrapAdmin({ username: 'admin', password: 'admin password 1' })).toBe(true);
    expect(await service.ensureBootstrapAdmin({ username: 'admin2', password: 'admin password 2' })).toBe(false);
    expect(await service.users.list(fresh)).toEqual([{ username: 'admin', role: 'admin', wards: [], disabled: false }]);
    await fresh.close();
  });

  it('user repository validates: short password, bad ward, duplicate username', async () => {
    expect((await pmError(auth.users.create(db, { username: 'carol', password: 'short', role: 'clinician', wards: [] }))).code).toBe('PM_ERR_VALIDATION');
    expect((await pmError(auth.users.create(db, { username: 'carol', password: PASSWORD, role: 'clinician', wards: ['a/b'] }))).code).toBe('PM_ERR_VALIDATION');
    expect((await pmError(auth.users.create(db, { username: 'alice', password: PASSWORD, role: 'admin', wards: [] }))).message).toMatch(/already exists/);
    expect(await auth.users.setWards(db, 'alice', ['ward-b', 'ward-a', 'ward-b'])).toMatchObject({ wards: ['ward-a', 'ward-b'] });
    expect(await auth.users.setRole(db, 'alice', 'charge_nurse')).toMatchObject({ role: 'charge_nurse' });
    expect((await pmError(auth.users.disable(db, 'nobody'))).code).toBe('PM_ERR_NOT_FOUND');
  });
});

describe('sessions', () => {
  it('refuses a missing or unknown token', async () => {
    await setup();
    expect((await pmError(auth.authenticate(undefined))).message).toBe('sign-in required');
    expect((await pmError(auth.authenticate(''))).message).toBe('sign-in required');
    expect((await pmError(auth.authenticate('x'.repeat(43)))).message).toBe('session ended');
    expect((await pmError(auth.authenticate('not-a-token'))).message).toBe('session ended');
  });

  it('slides the idle timeout with each request, and ends the session after 15 min of inactivity', async () => {
    await setup();
    const { token } = await auth.login('alice', PASSWORD, {});
    t += 14 * MIN;
    expect((await auth.authenticate(token)).session.idleExpiresAt).toBe(t + 15 * MIN);
    t += 14 * MIN; // 28 min after login: alive only because the previous request renewed it
    await auth.authenticate(token);
    t += 15 * MIN;
    const err = await pmError(auth.authenticate(token));
    expect([err.code, err.message]).toEqual(['PM_ERR_UNAUTHENTICATED', 'session expired after inactivity']);
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await db.get('SELECT ended_at, end_reason FROM auth_sessions WHERE token_hash = ?', [hash])).toEqual({ ended_at: t, end_reason: 'idle' });
    expect((await pmError(auth.authenticate(token))).message).toBe('session ended');
    expect((await audit.list()).at(-1)).toMatchObject({ action: 'auth.session.ended', detail: { reason: 'idle' } });
  });

  it('ends the session at the absolute limit despite activity', async () => {
    await setup({ absoluteTimeoutMs: 60 * MIN });
    const { token } = await auth.login('alice', PASSWORD, {});
    for (let i = 0; i < 5; i++) {
      t += 10 * MIN;
      const { session } = await auth.authenticate(token);
      expect(session.idleExpiresAt).toBe(Math.min(t + 15 * MIN, T0 + 60 * MIN)); // never past the absolute expiry
    }
    t = T0 + 60 * MIN;
    const err = await pmError(auth.authenticate(token));
    expect(err.message).toBe('session expired (maximum length)');
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await db.get('SELECT end_reason FROM auth_sessions WHERE token_hash = ?', [hash])).toEqual({ end_reason: 'absolute' });
  });

  it('logout takes effect at once, even with the principal cache on', async () => {
    await setup({ principalCacheMs: 1_000 });
    const { token } = await auth.login('alice', PASSWORD, {});
    const principal = await auth.authenticate(token);
    expect((await auth.authenticate(token)).username).toBe('alice'); // served from the cache
    await auth.logout(principal);
    expect((await pmError(auth.authenticate(token))).message).toBe('session ended');
    expect(await auditActions()).toContain('auth.logout');
  });

  it('a disabled account loses its open sessions', async () => {
    await setup();
    const { token } = await auth.login('alice', PASSWORD, {});
    await auth.users.disable(db, 'alice');
    expect((await pmError(auth.authenticate(token))).message).toBe('session ended');
  });
});

describe('ward access and break-glass', () => {
  beforeEach(() => setup({ breakGlassMs: 60 * MIN }));

  it('allows assigned wards only', async () => {
    const p = await auth.authenticate((await auth.login('alice', PASSWORD, {})).token);
    expect(auth.canReadWard(p, 'ward-a')).toBe(true);
    expect(auth.canReadWard(p, 'ward-b')).toBe(false);
    expect(() => auth.requireWard(p, 'ward-a')).not.toThrow();
    const err = thrown(() => auth.requireWard(p, 'ward-b'));
    expect([err.code, err.status, err.message]).toEqual(['PM_ERR_FORBIDDEN', 403, 'not assigned to ward ward-b']);
    expect(auth.readableWards(p)).toEqual(['ward-a']);
    expect(thrown(() => auth.requireRole(p, 'admin', 'charge_nurse')).code).toBe('PM_ERR_FORBIDDEN');
    expect(() => auth.requireRole(p, 'clinician')).not.toThrow();
  });

  it('break-glass needs a reason, opens that ward only, until it expires, and is audited with the reason', async () => {
    const { token } = await auth.login('alice', PASSWORD, {});
    const p = await auth.authenticate(token);
    const short = await pmError(auth.breakGlass(p, 'ward-b', '  urgent  '));
    expect(short.code).toBe('PM_ERR_VALIDATION');
    expect(auth.canReadWard(p, 'ward-b')).toBe(false);

    const reason = 'cardiac arrest bed 4, covering for ward-b team';
    const grant = await auth.breakGlass(p, 'ward-b', `  ${reason} `);
    expect(grant).toEqual({ wardId: 'ward-b', reason, grantedAt: T0, expiresAt: T0 + 60 * MIN });
    expect(auth.canReadWard(p, 'ward-b')).toBe(true);
    expect(auth.canReadWard(p, 'ward-c')).toBe(false);
    expect((await audit.list()).at(-1)).toMatchObject({ actor: 'alice', action: 'auth.break-glass', wardId: 'ward-b', detail: { reason } });

    t += 10 * MIN; // a later request sees the grant too
    const later = await auth.authenticate(token);
    expect(later.breakGlass).toEqual([grant]);
    expect(later.session.breakGlass).toEqual([grant]);
    expect(auth.readableWards(later)).toEqual(['ward-a', 'ward-b']);
    expect(() => auth.requireWard(later, 'ward-b')).not.toThrow();

    for (let i = 0; i < 5; i++) {
      t += 10 * MIN; // keep the session alive until the grant's hour is over
      await auth.authenticate(token);
    }
    expect(t).toBe(T0 + 60 * MIN);
    expect(auth.canReadWard(later, 'ward-b')).toBe(false); // the held principal lapses by time
    const after = await auth.authenticate(token);
    expect(after.breakGlass).toEqual([]);
    expect(thrown(() => auth.requireWard(after, 'ward-b')).code).toBe('PM_ERR_FORBIDDEN');
  });

  it('a grant never outlives the session’s absolute expiry', async () => {
    await db.close();
    await setup({ breakGlassMs: 60 * MIN, absoluteTimeoutMs: 30 * MIN });
    const p = await auth.authenticate((await auth.login('alice', PASSWORD, {})).token);
    expect((await auth.breakGlass(p, 'ward-b', 'handover gap, ward-b nurse sick')).expiresAt).toBe(T0 + 30 * MIN);
  });
});

describe('sessionMiddleware (express)', () => {
  let server: HttpServer;
  let base: string;

  beforeEach(async () => {
    await setup();
    const app = express();
    app.get('/me', sessionMiddleware(auth), (req, res) => {
      res.json({ username: principalOf(req).username });
    });
    app.post('/me', sessionMiddleware(auth), (req, res) => {
      res.json({ username: principalOf(req).username });
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const error = isPmError(err) ? err : new PmError('PM_ERR_INTERNAL');
      res.status(error.status).json(error.toBody());
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function expect401(res: globalThis.Response, message: string): Promise<void> {
    expect(res.status).toBe(401);
    expect(ErrorBody.parse(await res.json())).toEqual({ error: { code: 'PM_ERR_UNAUTHENTICATED', message } });
  }

  it('answers 401 without a token and with a bad one, 200 with a good Bearer token', async () => {
    await expect401(await fetch(`${base}/me`), 'sign-in required');
    await expect401(await fetch(`${base}/me`, { headers: { authorization: `Bearer ${'A'.repeat(43)}` } }), 'session ended');
    await expect401(await fetch(`${base}/me`, { headers: { authorization: 'Basic YWxpY2U6eA==' } }), 'sign-in required');
    const { token } = await auth.login('alice', PASSWORD, {});
    const ok = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ username: 'alice' });
  });

  it('accepts the vigil_session cookie for GET but not for a state-changing POST (CSRF)', async () => {
    const { token } = await auth.login('alice', PASSWORD, {});
    const cookie = `theme=dark; vigil_session=${token}`;
    expect((await fetch(`${base}/me`, { headers: { cookie } })).status).toBe(200);
    await expect401(await fetch(`${base}/me`, { method: 'POST', headers: { cookie } }), 'sign-in required');
    expect((await fetch(`${base}/me`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

describe('socket.io authentication', () => {
  let server: HttpServer;
  let io: Server;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    await setup();
    server = createServer();
    io = new Server(server, { serveClient: false });
    io.use(socketAuthMiddleware(auth));
    io.on('connection', (socket) => {
      socket.on('whoami', (reply: (name: string) => void) => reply(socketPrincipal(socket).username));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  const client = (auth?: { token: string }): ClientSocket => {
    const socket = connect(url, { transports: ['websocket'], reconnection: false, ...(auth ? { auth } : {}) });
    clients.push(socket);
    return socket;
  };

  it('refuses a connection without a token, with the ErrorBody in connect_error', async () => {
    const socket = client();
    const err = await new Promise<Error & { data?: unknown }>((resolve) => socket.on('connect_error', resolve));
    expect(err.message).toBe('sign-in required');
    expect(ErrorBody.parse(err.data)).toEqual({ error: { code: 'PM_ERR_UNAUTHENTICATED', message: 'sign-in required' } });
    expect(socket.connected).toBe(false);
  });

  it('accepts a valid session, and the watcher disconnects it with session:expired once it has idled out', async () => {
    const { token } = await auth.login('alice', PASSWORD, {});
    const socket = client({ token });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
    expect(await socket.emitWithAck('whoami')).toBe('alice');

    const watch = watchSessionExpiry(io, auth, 60_000);
    try {
      t += 10 * MIN;
      expect(await watch.checkNow()).toBe(0); // still valid, and the check does not renew it
      expect(socket.connected).toBe(true);
      const expired = new Promise<string>((resolve) => socket.on('session:expired', resolve));
      const disconnected = new Promise<string>((resolve) => socket.on('disconnect', resolve));
      t += 6 * MIN; // 16 min after login, no user activity
      expect(await watch.checkNow()).toBe(1);
      expect(await expired).toBe('session expired after inactivity');
      expect(await disconnected).toMatch(/disconnect|transport close/);
    } finally {
      watch.stop();
    }
  });
});
