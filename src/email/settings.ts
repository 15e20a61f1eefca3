import { compileSafeRegex } from '../rules/regex-guard.js';
import type { EventStatus } from '../events/types.js';
import type { ConfigFile, EmailMailbox, EmailRule } from '../generated/config.js';
import { problemAt, type ProblemList } from '../problems.js';

/*
 * The `smtp:` section and the `email:` block of integrations with `adapter: email`, as written and as compiled.
 * Checked here is what JSON Schema cannot say: unique prefixes, an `smtp:` section when mailboxes exist, regexes.
 */

/** `smtp:` as written in alertgate.yaml. */
export type SmtpConfig = NonNullable<ConfigFile['smtp']>;

/** The SMTP listener with defaults applied. */
export interface SmtpSettings {
  port: number;
  host: string;
  domain: string;
  maxSizeBytes: number;
  tls?: { key: string; cert: string };
  auth?: { username: string; password: string };
}

/** An integration's `email:` block as written. */
export type EmailConfig = EmailMailbox;
/** One rule of `mode: rules` as written: regexes on subject, body, sender (all given must match). */
export type EmailRuleConfig = EmailRule;
/** How mail of an email integration becomes events (Flashduty's three push modes). */
export type EmailMode = NonNullable<EmailMailbox['mode']>;

export interface CompiledEmailRule {
  subject?: RegExp;
  body?: RegExp;
  from?: RegExp;
  status: EventStatus;
  alertKey?: RegExp;
}

/** An email integration's mailbox, compiled. */
export interface EmailSettings {
  prefix: string;
  mode: EmailMode;
  rules: CompiledEmailRule[];
  discardUnmatched: boolean;
}

/** Default and Flashduty's limit: larger mail is refused. */
export const defaultMaxMailBytes = 5 * 1024 * 1024;

const ruleFields = ['subject', 'body', 'from', 'alert_key'] as const;

/**
 * Problems of the email blocks and the smtp section that the schema cannot see: a prefix used twice, mailboxes
 * without an `smtp:` section, regexes that do not compile. (Which integrations have a mailbox, a key, rules, is the
 * schema's.)
 */
export function emailProblems(
  integrations: ReadonlyArray<{ adapter: string; email?: EmailConfig }>,
  smtp: SmtpConfig | undefined,
): ProblemList {
  const problems: ProblemList = [];
  const prefixes = new Map<string, number>();
  integrations.forEach((integration, i) => {
    const email = integration.email;
    if (integration.adapter !== 'email' || !email) return;
    const path = `integrations[${i}].email`;
    const earlier = prefixes.get(email.prefix);
    if (earlier !== undefined)
      problems.push(
        problemAt(
          `${path}.prefix`,
          `${JSON.stringify(email.prefix)} is already the prefix of integrations[${earlier}]`,
        ),
      );
    else prefixes.set(email.prefix, i);
    if (!smtp) problems.push(problemAt(path, 'email integrations need an smtp: section (listen, domain)'));
    (email.rules ?? []).forEach((rule, r) => {
      for (const field of ruleFields) {
        const pattern = rule[field];
        if (pattern === undefined) continue;
        const compiled = compileSafeRegex(pattern);
        if ('error' in compiled) problems.push(problemAt(`${path}.rules[${r}].${field}`, compiled.error));
      }
    });
  });
  return problems;
}

function compiledRegex(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  const compiled = compileSafeRegex(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.regex;
}

/** Compiles a validated `email:` block (see {@link emailProblems}). */
export function compileEmailSettings(email: EmailConfig): EmailSettings {
  return {
    prefix: email.prefix,
    mode: email.mode ?? 'new_alert',
    rules: (email.rules ?? []).map((rule) => {
      const [subject, body, from, alertKey] = ruleFields.map((field) => compiledRegex(rule[field]));
      return {
        ...(subject && { subject }),
        ...(body && { body }),
        ...(from && { from }),
        status: rule.status,
        ...(alertKey && { alertKey }),
      };
    }),
    discardUnmatched: email.discard_unmatched ?? false,
  };
}

/** The `smtp:` section with defaults; `parseSize` turns `5mb` into bytes. */
export function compileSmtpSettings(smtp: SmtpConfig, parseSize: (value: number | string) => number): SmtpSettings {
  return {
    port: smtp.listen,
    host: smtp.host ?? '0.0.0.0',
    domain: smtp.domain.toLowerCase(),
    maxSizeBytes: smtp.max_size === undefined ? defaultMaxMailBytes : parseSize(smtp.max_size),
    ...(smtp.tls && { tls: smtp.tls }),
    ...(smtp.auth && { auth: smtp.auth }),
  };
}

/** The address of an email integration: `<prefix>@<domain>`. */
export function mailboxAddress(prefix: string, domain: string): string {
  return `${prefix}@${domain}`;
}
