/**
 * Roles: the built-in ones (read-only, with every permission they hold) and the organization's
 * custom roles, which this page creates, edits and deletes. The forms validate with the server's
 * own schemas; what the server refuses (a name taken, a permission the editor does not hold)
 * lands on its field or in the form's alert.
 */
import { useEffect, useState } from 'react';
import { useLoaderData, useRevalidator } from 'react-router';
import type { z } from 'zod';
import { permissions } from '../../../../contracts/permissions.ts';
import { createRoleBodySchema, type roleSchema } from '../../../../contracts/auth.ts';
import { updateRoleBodySchema } from '../../../../contracts/tenancy-api.ts';
import { listLoader } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { ConfirmButton } from '../../shared/confirm/ConfirmButton.tsx';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { PermissionChecklist } from './PermissionChecklist.tsx';

type Role = z.infer<typeof roleSchema>;

/** In the order contracts/permissions.ts lists them (subject by subject), whatever order they were stored in. */
export const inCatalogueOrder = (list: readonly string[]) =>
  [...list].sort((a, b) => permissions.indexOf(a as never) - permissions.indexOf(b as never)).join(', ');

export const handle: PageHandle = { title: 'Roles' };

export const loader = listLoader<Role>('/api/roles');

export function Component() {
  const { items } = useLoaderData<typeof loader>();
  const { revalidate } = useRevalidator();
  const [editing, setEditing] = useState<string | null>(null);
  const builtIn = items.filter((role) => role.builtIn);
  const custom = items.filter((role) => !role.builtIn);
  const editedRole = custom.find((role) => role.id === editing);
  return (
    <AdminLayout title="Roles">
      <PanelBoundary title="Custom roles">
        <Panel titleId="custom-roles-title" title="Custom roles">
          <DataTable
            label="Custom roles"
            columns={['Name', 'Description', 'Permissions', 'Actions']}
            records={custom}
            empty="This organization has no custom roles yet."
            row={(role) => (
              <tr key={role.id}>
                <th scope="row">{role.name}</th>
                <td>{role.description || <span className="muted">—</span>}</td>
                <td>{inCatalogueOrder(role.permissions)}</td>
                <td className="row-actions">
                  <button type="button" aria-label={`Edit role ${role.name}`} onClick={() => setEditing(role.id)}>
                    Edit
                  </button>
                  <ConfirmButton
                    label="Delete"
                    accessibleLabel={`Delete role ${role.name}`}
                    title={`Delete the role ${role.name}?`}
                    confirmLabel="Delete role"
                    onConfirm={async () => {
                      await browserApi(`/api/roles/${role.id}`, { method: 'DELETE' });
                      if (editing === role.id) setEditing(null);
                      await revalidate();
                    }}
                  >
                    <p>Nobody may hold it any more. This cannot be undone.</p>
                  </ConfirmButton>
                </td>
              </tr>
            )}
          />
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Role editor">
        {editedRole ? (
          <EditRole
            key={editedRole.id}
            role={editedRole}
            onDone={async () => {
              setEditing(null);
              await revalidate();
            }}
          />
        ) : (
          <CreateRole onCreated={revalidate} />
        )}
      </PanelBoundary>
      <PanelBoundary title="Built-in roles">
        <Panel titleId="built-in-roles-title" title="Built-in roles">
          <p className="muted">Built-in roles cannot be changed; each holds every permission of the roles listed below it.</p>
          <DataTable
            label="Built-in roles and their permissions"
            columns={['Name', 'Permissions']}
            records={builtIn}
            row={(role) => (
              <tr key={role.id}>
                <th scope="row">{role.name}</th>
                <td>{inCatalogueOrder(role.permissions)}</td>
              </tr>
            )}
          />
        </Panel>
      </PanelBoundary>
    </AdminLayout>
  );
}

function CreateRole({ onCreated }: { onCreated: () => Promise<void> }) {
  const [created, setCreated] = useState<string | null>(null);
  const { form, formError, onSubmit } = useApiForm({
    schema: createRoleBodySchema,
    defaultValues: { name: '', description: '', permissions: [] },
    send: async (values) => {
      const role = await browserApi<Role>('/api/roles', { method: 'POST', body: values });
      form.reset();
      setCreated(role.name);
      await onCreated();
    },
  });
  return (
    <Panel titleId="create-role-title" title="Create a custom role">
      <form onSubmit={onSubmit} noValidate className="admin-form">
        <Field form={form} name="name" label="Name" hint="Lowercase letters, digits and dashes." required />
        <Field form={form} name="description" label="Description" />
        <PermissionChecklist form={form} name="permissions" />
        <FormError message={formError} />
        <button type="submit">Create role</button>
        <p role="status" className="muted">
          {created ? `Role ${created} created.` : ''}
        </p>
      </form>
    </Panel>
  );
}

function EditRole({ role, onDone }: { role: Role; onDone: () => Promise<void> }) {
  const { form, formError, onSubmit } = useApiForm({
    schema: updateRoleBodySchema,
    defaultValues: { description: role.description, permissions: role.permissions },
    send: async (values) => {
      await browserApi<Role>(`/api/roles/${role.id}`, { method: 'PATCH', body: values });
      await onDone();
    },
  });
  // Opened from the table's Edit button: focus goes where the editing happens.
  useEffect(() => form.setFocus('description'), [form]);
  return (
    <Panel titleId="edit-role-title" title={<>Edit the role {role.name}</>}>
      <form onSubmit={onSubmit} noValidate className="admin-form">
        <Field form={form} name="description" label="Description" />
        <PermissionChecklist form={form} name="permissions" />
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit">Save role</button>
          <button type="button" onClick={() => void onDone()}>
            Cancel
          </button>
        </div>
      </form>
    </Panel>
  );
}
