/**
 * What a password must be: long enough and not one of the most common passwords (NIST SP 800-63B
 * §5.1.1.2 — length and a blocklist, no composition rules). The blocklist is shipped as data
 * (data/common-passwords.txt, which names its source).
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../errors/index.ts';

/** Longer passwords are refused: hashing cost grows with length and nobody types 256 characters. */
export const PASSWORD_MAX_LENGTH = 256;

let commonPasswords: ReadonlySet<string> | undefined;

/** The blocklist, read once on first use (it is constant data, not state). */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords;
}

export interface PasswordPolicy {
  minLength: number;
}

/** The reasons a password is refused; empty when it is acceptable. */
export function passwordProblems(password: string, { minLength }: PasswordPolicy, { email }: { email?: string } = {}): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < minLength) problems.push(`must be at least ${minLength} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  const lowered = password.toLowerCase();
  if (loadCommonPasswords().has(lowered)) problems.push('is one of the most commonly used passwords');
  if (email && (lowered === email.toLowerCase() || lowered === email.toLowerCase().split('@')[0])) problems.push('must not be the email address');
  return problems;
}

/** Throws a validation problem pointing at `pointer` when the password is refused. */
export function assertPasswordAcceptable(password: string, policy: PasswordPolicy, context: { email?: string; pointer?: string } = {}): void {
  const problems = passwordProblems(password, policy, context);
  if (problems.length === 0) return;
  const pointer = context.pointer ?? '/body/password';
  throw new AppError('WK_ERR_VALIDATION', `${pointer}: the password ${problems.join('; ')}`, {
    fieldErrors: problems.map((detail) => ({ pointer, detail: `the password ${detail}` })),
  });
}
