import { describe, expect, it } from 'vitest';
import { loadCommonPasswords, passwordProblems, PASSWORD_MAX_LENGTH } from './password-policy.ts';
import { lockoutDurationMs } from './login-throttle.ts';

describe('password policy', () => {
  const policy = { minLength: 12 };

  it('ships a list of thousands of common passwords', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThan(5_000);
    expect(list.has('password')).toBe(true);
    expect(list.has('123456')).toBe(true);
  });

  it('accepts a long uncommon password', () => {
    expect(passwordProblems('correct horse battery staple', policy)).toEqual([]);
  });

  it('refuses a password shorter than the minimum, counting characters not bytes', () => {
    expect(passwordProblems('short-pw', policy)).toEqual(['must be at least 12 characters long']);
    expect(passwordProblems('ééééééééééé', policy)).toEqual(['must be at least 12 characters long']);
    expect(passwordProblems('éééééééééééé', policy)).toEqual([]);
  });

  it('refuses a common password whatever its case, even when long enough', () => {
    expect(passwordProblems('Unbelievable', policy)).toEqual(['is one of the most commonly used passwords']);
    expect(passwordProblems('PASSWORD', { minLength: 8 })).toEqual(['is one of the most commonly used passwords']);
  });

  it('refuses the email address or its local part', () => {
    expect(passwordProblems('grace.hopper.1906', policy, { email: 'grace.hopper.1906@example.test' })).toEqual(['must not be the email address']);
  });

  it('refuses absurdly long passwords', () => {
    expect(passwordProblems('x'.repeat(PASSWORD_MAX_LENGTH + 1), policy)).toContain(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  });
});

describe('lockout back-off', () => {
  const options = { lockoutBaseMs: 60_000, lockoutMaxMs: 3_600_000 };
  it('starts at the threshold and doubles with each further failure, up to the cap', () => {
    expect([4, 5, 6, 7, 8].map((failures) => lockoutDurationMs(failures, 5, options))).toEqual([0, 60_000, 120_000, 240_000, 480_000]);
    expect(lockoutDurationMs(50, 5, options)).toBe(3_600_000);
  });
});
