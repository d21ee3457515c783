/**
 * Changing one's own password. The server ends every other session and rotates this one (a new
 * CSRF token with it), so on success the page is loaded afresh with the new session.
 */
import { changePasswordBodySchema } from '../../../../contracts/auth.ts';
import { browserApi } from '../../shared/api/client.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { Panel } from '../../shared/Panel.tsx';

export function ChangePasswordForm() {
  const { form, formError, onSubmit } = useApiForm({
    schema: changePasswordBodySchema,
    defaultValues: { currentPassword: '', newPassword: '' },
    send: async (values) => {
      await browserApi('/api/auth/password', { method: 'POST', body: values });
      window.location.assign('/account?changed=1');
    },
  });
  return (
    <Panel titleId="change-password-title" title="Change password">
      <form onSubmit={(event) => void onSubmit(event)} noValidate>
        <FormError message={formError} />
        <Field form={form} name="currentPassword" label="Current password" type="password" autoComplete="current-password" required />
        <Field
          form={form}
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="Your other sessions end when it changes."
          required
        />
        <button type="submit" disabled={form.formState.isSubmitting}>
          Change password
        </button>
      </form>
    </Panel>
  );
}
