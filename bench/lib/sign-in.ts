/** An administrator made with the CLI and signed in over HTTP: the session cookie for authenticated reads. */
import { httpRequest } from './processes.ts';
import type { Subject } from './subject.ts';

export async function signInAdmin(subject: Subject, { email = 'bench@example.com', password = 'bench-password-a8f3k2q9' } = {}): Promise<{ cookie: string }> {
  await subject.command(['user', 'create', '--email', email, '--admin'], { WATCHKEEPER_PASSWORD: password });
  const attempt = () =>
    httpRequest(`${subject.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  let login = await attempt();
  // Shed (503 + Retry-After) while a busy start-up catches up: wait as told, a few times.
  for (let tries = 0; tries < 10 && login.status === 503; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    login = await attempt();
  }
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${login.body}`);
  const cookie = [login.headers['set-cookie'] ?? []]
    .flat()
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith('wk_session='));
  if (!cookie) throw new Error('sign-in set no wk_session cookie');
  return { cookie };
}
