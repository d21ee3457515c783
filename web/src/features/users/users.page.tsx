/**
 * Users of the acting organization: who they are, whether their account works, the roles they
 * hold here (organization-wide or per project); create an account, disable or enable it, reset
 * its password. The server decides who may do what; its refusals are shown where they apply.
 */
import { useLoaderData, useRevalidator, type LoaderFunctionArgs } from 'react-router';
import type { z } from 'zod';
import { useEffect, useRef, useState } from 'react';
import { createUserBodySchema, resetPasswordBodySchema, type roleSchema, type User } from '../../../../contracts/auth.ts';
import type { Project } from '../../../../contracts/tenancy-api.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi, type Api } from '../../shared/api/client.ts';
import { ConfirmButton } from '../../shared/confirm/ConfirmButton.tsx';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { AdminNav } from '../administration/AdminNav.tsx';

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
  const { revalidate } = useRevalidator();
  const [notice, setNotice] = useState('');
  const projectName = (id: string | null) => (id === null ? 'organization' : (projects.find((p) => p.id === id)?.name ?? 'a project'));
  const setDisabled = async (row: UserRow, disabled: boolean) => {
    await browserApi(`/api/users/${row.id}`, { method: 'PATCH', body: { disabled } });
    setNotice(`${row.email} is ${disabled ? 'disabled' : 'enabled'}.`);
    await revalidate();
  };
  return (
    <>
      <h1>Users</h1>
      <AdminNav />
      <p role="status" className="notice">
        {notice}
      </p>
      <PanelBoundary title="Users">
        <section className="panel" aria-labelledby="users-title">
          <h2 id="users-title">Accounts in this organization</h2>
          <table aria-label="Users">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {userRows(users).map((row) => (
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
              ))}
            </tbody>
          </table>
        </section>
      </PanelBoundary>
      <PanelBoundary title="Create a user">
        <CreateUser roles={roles} onCreated={revalidate} />
      </PanelBoundary>
    </>
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
    <section className="panel" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
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
    </section>
  );
}

/** A new password for someone else, asked in a dialog of its own; their sessions end. */
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
  const trigger = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) form.setFocus('password');
    else if (wasOpen.current) trigger.current?.focus();
    wasOpen.current = open;
  }, [open, form]);
  if (!open)
    return (
      <button type="button" ref={trigger} aria-label={`Reset the password of ${row.email}`} onClick={() => setOpen(true)}>
        Reset password
      </button>
    );
  return (
    <form onSubmit={onSubmit} noValidate className="inline-form" aria-label={`Reset the password of ${row.email}`}>
      <Field form={form} name="password" label={`New password for ${row.email}`} type="password" autoComplete="new-password" />
      <FormError message={formError} />
      <button type="submit">Set password</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
