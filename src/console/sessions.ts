import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One console login: the session id lives only in an HttpOnly cookie; the CSRF token is handed to the page. */
export interface ConsoleSession {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Console sessions, kept in this process's memory: a restart logs everyone out, which is the price of storing no
 * session anywhere else. Each session ends after `ttlMs` (default 12 h) or at logout.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly clock: () => number,
    private readonly ttlMs = 12 * 3600_000,
    private readonly maxSessions = 10_000,
  ) {}

  /** Opens a session; the oldest one goes when the store is full. */
  create(): ConsoleSession {
    this.sweep();
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session = {
      id: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: this.clock() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of this id, if any. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.clock()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
