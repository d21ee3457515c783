/**
 * Credentials for authenticated scenarios: an administrator made with the CLI, signed in over
 * HTTP, and an API key made through the API — once per subject, since the subject is shared by
 * the scenarios of a run and the e-mail address can be taken only once.
 */
import { httpRequest } from './processes.ts';
import type { Subject } from './subject.ts';

const EMAIL = 'bench@example.com';
const PASSWORD = 'bench-password-a8f3k2q9';

export interface Credentials {
  cookie: string;
  apiKey: string;
}

const signedIn = new WeakMap<Subject, Promise<Credentials>>();

export function credentialsFor(subject: Subject): Promise<Credentials> {
  let credentials = signedIn.get(subject);
  if (!credentials) {
    credentials = signIn(subject);
    signedIn.set(subject, credentials);
  }
  return credentials;
}

async function signIn(subject: Subject): Promise<Credentials> {
  await subject.command(['user', 'create', '--email', EMAIL, '--admin'], { WATCHKEEPER_PASSWORD: PASSWORD });
  const login = await httpRequest(`${subject.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${login.body}`);
  const setCookie = [login.headers['set-cookie'] ?? []].flat();
  const cookie = setCookie.map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('wk_session='));
  if (!cookie) throw new Error('sign-in set no wk_session cookie');
  const { csrfToken } = JSON.parse(login.body) as { csrfToken: string };
  const created = await httpRequest(`${subject.url}/api/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench', scopes: ['services:read', 'health:read'] }),
  });
  if (created.status !== 201 && created.status !== 200) throw new Error(`creating the API key answered ${created.status}: ${created.body}`);
  return { cookie, apiKey: (JSON.parse(created.body) as { key: string }).key };
}
