/** An administrator made with the CLI and signed in over HTTP: the session cookie for authenticated reads. */
import { httpRequest } from './processes.ts';
import type { Subject } from './subject.ts';

export async function signInAdmin(subject: Subject, { email = 'bench@example.com', password = 'bench-password-a8f3k2q9' } = {}): Promise<{ cookie: string }> {
  await subject.command(['user', 'create', '--email', email, '--admin'], { WATCHKEEPER_PASSWORD: password });
  const login = await httpRequest(`${subject.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${login.body}`);
  const cookie = [login.headers['set-cookie'] ?? []]
    .flat()
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith('wk_session='));
  if (!cookie) throw new Error('sign-in set no wk_session cookie');
  return { cookie };
}
