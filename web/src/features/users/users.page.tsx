/**
 * Users of the acting organization: who they are, whether their account works, the roles they
 * hold here (organization-wide or per project); create an account, disable or enable it, reset
 * its password. The server decides who may do what; its refusals are shown where they apply.
 */
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { z } from 'zod';
import { useState } from 'react';
import { createUserBodySchema, resetPasswordBodySchema, type roleSchema, type User } from '../../../../contracts/auth.ts';
import type { Project } from '../../../../contracts/tenancy-api.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi, type Api } from '../../shared/api/client.ts';
import { ConfirmButton } from '../../shared/confirm/ConfirmButton.tsx';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { InPlaceForm } from '../../shared/forms/InPlaceForm.tsx';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { ChangeNotice, useChangeNotice } from '../administration/ChangeNotice.tsx';

type Role = z.infer<typeof roleSchema>;

export const handle: PageHandle = { title: 'Users' };

/** One row per account: the membership list holds one entry per organization-wide or project role. */
export interface UserRow {
  id: string;
  email: string;
  disabled: boolean;
  createdAt: string;
  roles: { role: string; projectId: string | null }[];
}

export function userRows(items: User[]): UserRow[] {
  const rows = new Map<string, UserRow>();
  for (const item of items) {
    const row = rows.get(item.id) ?? { id: item.id, email: item.email, disabled: item.disabled, createdAt: item.createdAt, roles: [] };
    row.roles.push({ role: item.role, projectId: item.projectId });
    rows.set(item.id, row);
  }
  return [...rows.values()];
}

// Roles and projects only fill the form's choices: without them the form still takes a typed role.
const optional = <T,>(work: Promise<T>) => work.catch(() => null);

export async function loader({ context }: LoaderFunctionArgs) {
  const api: Api = apiFrom(context);
  const users = await orRouteError(api<{ items: User[] }>('/api/users'));
  const [roles, projects] = await Promise.all([optional(api<{ items: Role[] }>('/api/roles')), optional(api<{ items: Project[] }>('/api/projects'))]);
  return { users: users.items, roles: roles?.items ?? null, projects: projects?.items ?? [] };
}

export function Component() {
  const { users, roles, projects } = useLoaderData<typeof loader>();
  const { notice, setNotice, changed, revalidate } = useChangeNotice();
  const projectName = (id: string | null) => (id === null ? 'organization' : (projects.find((p) => p.id === id)?.name ?? 'a project'));
  const setDisabled = async (row: UserRow, disabled: boolean) => {
    await browserApi(`/api/users/${row.id}`, { method: 'PATCH', body: { disabled } });
    await changed(`${row.email} is ${disabled ? 'disabled' : 'enabled'}.`);
  };
  return (
    <AdminLayout title="Users">
      <ChangeNotice notice={notice} />
      <PanelBoundary title="Users">
        <Panel titleId="users-title" title="Accounts in this organization">
          <DataTable
            label="Users"
            columns={['Email', 'Status', 'Roles', 'Created', 'Actions']}
            records={userRows(users)}
            row={(row) => (
              <tr key={row.id}>
                <th scope="row">{row.email}</th>
                <td className={row.disabled ? 'status-fail' : 'status-pass'}>{row.disabled ? 'Disabled' : 'Active'}</td>
                <td>
                  <ul className="plain-list">
                    {row.roles.map((r) => (
                      <li key={`${r.projectId}`}>
                        {r.role} <span className="muted">({projectName(r.projectId)})</span>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <time dateTime={row.createdAt}>{row.createdAt.slice(0, 10)}</time>
                </td>
                <td className="row-actions">
                  {row.disabled ? (
                    <button
                      type="button"
                      aria-label={`Enable ${row.email}`}
                      onClick={() => void setDisabled(row, false).catch((e: Error) => setNotice(e.message))}
                    >
                      Enable
                    </button>
                  ) : (
                    <ConfirmButton
                      label="Disable"
                      accessibleLabel={`Disable ${row.email}`}
                      title={`Disable ${row.email}?`}
                      confirmLabel="Disable account"
                      onConfirm={() => setDisabled(row, true)}
                    >
                      <p>Their sessions end now and they cannot sign in until the account is enabled again.</p>
                    </ConfirmButton>
                  )}
                  <ResetPassword row={row} onDone={setNotice} />
                </td>
              </tr>
            )}
          />
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Create a user">
        <CreateUser roles={roles} onCreated={revalidate} />
      </PanelBoundary>
    </AdminLayout>
  );
}

function CreateUser({ roles, onCreated }: { roles: Role[] | null; onCreated: () => Promise<void> }) {
  const [created, setCreated] = useState('');
  const { form, formError, onSubmit } = useApiForm({
    schema: createUserBodySchema,
    defaultValues: { email: '', password: '', role: 'viewer' },
    send: async (values) => {
      const user = await browserApi<User>('/api/users', { method: 'POST', body: values });
      form.reset();
      setCreated(`${user.email} created with the role ${user.role}.`);
      await onCreated();
    },
  });
  return (
    <Panel titleId="create-user-title" title="Create a user">
      <form onSubmit={onSubmit} noValidate className="admin-form">
        <Field form={form} name="email" label="Email" type="email" autoComplete="off" required />
        <Field
          form={form}
          name="password"
          label="Initial password"
          type="password"
          autoComplete="new-password"
          hint="Give it to them privately; the password policy applies."
          required
        />
        <Field form={form} name="role" label="Role" options={roles?.map((r) => ({ value: r.name, label: r.name }))} />
        <FormError message={formError} />
        <button type="submit">Create user</button>
        <p role="status" className="muted">
          {created}
        </p>
      </form>
    </Panel>
  );
}

/** A new password for someone else, asked in a form in place of its button; their sessions end. */
function ResetPassword({ row, onDone }: { row: UserRow; onDone: (notice: string) => void }) {
  const [open, setOpen] = useState(false);
  const { form, formError, onSubmit } = useApiForm({
    schema: resetPasswordBodySchema,
    defaultValues: { password: '' },
    send: async (values) => {
      await browserApi(`/api/users/${row.id}/password`, { method: 'POST', body: values });
      form.reset();
      setOpen(false);
      onDone(`The password of ${row.email} is reset; their sessions have ended.`);
    },
  });
  return (
    <InPlaceForm
      open={open}
      onOpenChange={setOpen}
      name={`Reset the password of ${row.email}`}
      label="Reset password"
      submitLabel="Set password"
      field="password"
      onSubmit={onSubmit}
      formError={formError}
    >
      <Field form={form} name="password" label={`New password for ${row.email}`} type="password" autoComplete="new-password" />
    </InPlaceForm>
  );
}
