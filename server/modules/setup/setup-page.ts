/** The first-run page: plain server-rendered HTML, no scripts, usable without JavaScript. */

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Watchkeeper</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; margin-top: .25rem; }
button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
.error { color: #a00000; border: 1px solid #a00000; padding: .5rem .75rem; }
.hint { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderSetupForm({
  csrfToken,
  email = '',
  errors = [],
  minLength,
}: {
  csrfToken: string;
  email?: string;
  errors?: string[];
  minLength: number;
}): string {
  const errorList = errors.length
    ? `<div class="error" role="alert"><p>The administrator was not created:</p><ul>${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  return page(
    'Set up',
    `<h1>Set up Watchkeeper</h1>
<p>Create the first administrator. This page works only until an account exists.</p>
${errorList}
<form method="post" action="/setup">
<input type="hidden" name="csrfToken" value="${escapeHtml(csrfToken)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${minLength}" aria-describedby="password-hint">
<p id="password-hint" class="hint">At least ${minLength} characters, and not a commonly used password.</p>
<label for="confirm">Repeat the password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="${minLength}">
<button type="submit">Create administrator</button>
</form>`,
  );
}

export function renderSetupDone({ email }: { email: string }): string {
  return page(
    'Set up',
    `<h1>Watchkeeper is set up</h1>\n<p>The administrator <strong>${escapeHtml(email)}</strong> was created. Sign in with it to continue.</p>`,
  );
}

export function renderAlreadySetUp(): string {
  return page('Set up', '<h1>Watchkeeper is already set up</h1>\n<p>Sign in with an existing account; an administrator can create more.</p>');
}
