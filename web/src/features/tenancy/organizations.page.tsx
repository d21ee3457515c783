/**
 * Organizations: the ones you belong to (create one, rename), and, in the organization you act in,
 * its projects (create, rename, delete) and who holds which role there (add a user, change the
 * role, remove). Each panel loads on its own: a refusal of one (no users:read) leaves the others.
 */
import { useState } from 'react';
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { z } from 'zod';
import type { roleSchema } from '../../../../contracts/auth.ts';
import {
  createOrganizationBodySchema,
  createProjectBodySchema,
  setMembershipBodySchema,
  type MembershipRecord,
  type Project,
  type myOrganizationSchema,
} from '../../../../contracts/tenancy-api.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi, type Api } from '../../shared/api/client.ts';
import { ConfirmButton } from '../../shared/confirm/ConfirmButton.tsx';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { ChangeNotice, useChangeNotice } from '../administration/ChangeNotice.tsx';
import { RenameForm } from './RenameForm.tsx';

type MyOrganization = z.infer<typeof myOrganizationSchema>;
type Role = z.infer<typeof roleSchema>;

export const handle: PageHandle = { title: 'Organizations' };

/** A panel's data, or the server's reason for refusing it. */
type Part<T> = { items: T[]; refused: null } | { items: null; refused: string };

async function part<T>(work: Promise<{ items: T[] }>): Promise<Part<T>> {
  try {
    return { items: (await work).items, refused: null };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403) throw error;
    return { items: null, refused: (error as Error).message };
  }
}

export async function loader({ context }: LoaderFunctionArgs) {
  const api: Api = apiFrom(context);
  const organizations = await orRouteError(api<{ items: MyOrganization[] }>('/api/organizations'));
  const [projects, memberships, roles] = await orRouteError(
    Promise.all([
      part(api<{ items: Project[] }>('/api/projects')),
      part(api<{ items: MembershipRecord[] }>('/api/memberships')),
      part(api<{ items: Role[] }>('/api/roles')),
    ]),
  );
  return { organizations: organizations.items, projects, memberships, roles: roles.items ?? [] };
}

export function Component() {
  const { organizations, projects, memberships, roles } = useLoaderData<typeof loader>();
  const { notice, changed: done } = useChangeNotice();
  const acting = organizations.find((o) => projects.items?.some((p) => p.organizationId === o.id)) ?? organizations[0];
  return (
    <AdminLayout title="Organizations">
      <ChangeNotice notice={notice} />
      <PanelBoundary title="Your organizations">
        <Panel titleId="organizations-title" title="Your organizations">
          <DataTable
            label="Your organizations"
            columns={['Name', 'Slug', 'Your role', 'Actions']}
            records={organizations}
            row={(o) => (
              <tr key={o.id}>
                <th scope="row">
                  {o.name}
                  {o.id === acting?.id && <span className="muted"> (acting in)</span>}
                </th>
                <td>
                  <code>{o.slug}</code>
                </td>
                <td>{o.role ?? (o.projectRoles.length > 0 ? 'project member' : '—')}</td>
                <td>
                  <RenameForm
                    what="organization"
                    name={o.name}
                    send={async (name) => {
                      await browserApi(`/api/organizations/${o.id}`, { method: 'PATCH', body: { name } });
                      await done(`The organization is now named ${name}.`);
                    }}
                  />
                </td>
              </tr>
            )}
          />
          <CreateNamed
            noun="Organization"
            title="Create an organization"
            path="/api/organizations"
            schema={createOrganizationBodySchema}
            slugHint="Lowercase letters, digits and dashes; used in URLs."
            onCreated={(name) => done(`The organization ${name} is created; you are its owner.`)}
          />
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Projects">
        <Panel titleId="projects-title" title={<>Projects of {acting?.name ?? 'this organization'}</>}>
          {projects.items === null ? (
            <p role="status">{projects.refused}</p>
          ) : (
            <>
              <DataTable
                label="Projects"
                columns={['Name', 'Slug', 'Actions']}
                records={projects.items}
                row={(project) => (
                  <tr key={project.id}>
                    <th scope="row">{project.name}</th>
                    <td>
                      <code>{project.slug}</code>
                    </td>
                    <td className="row-actions">
                      <RenameForm
                        what="project"
                        name={project.name}
                        send={async (name) => {
                          await browserApi(`/api/projects/${project.id}`, { method: 'PATCH', body: { name } });
                          await done(`The project is now named ${name}.`);
                        }}
                      />
                      <ConfirmButton
                        label="Delete"
                        accessibleLabel={`Delete project ${project.name}`}
                        title={`Delete the project ${project.name}?`}
                        confirmLabel="Delete project"
                        onConfirm={async () => {
                          await browserApi(`/api/projects/${project.id}`, { method: 'DELETE' });
                          await done(`The project ${project.name} is deleted.`);
                        }}
                      >
                        <p>Everything in it is deleted with it: services, checks, memberships. This cannot be undone.</p>
                      </ConfirmButton>
                    </td>
                  </tr>
                )}
              />
              <CreateNamed
                noun="Project"
                title="Create a project"
                path="/api/projects"
                schema={createProjectBodySchema}
                slugHint="Lowercase letters, digits and dashes."
                onCreated={(name) => done(`The project ${name} is created.`)}
              />
            </>
          )}
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Memberships">
        <Memberships memberships={memberships} projects={projects.items ?? []} roles={roles} done={done} />
      </PanelBoundary>
    </AdminLayout>
  );
}

/** An organization or a project: both are created from a name and a slug, posted to their collection. */
function CreateNamed({
  noun,
  title,
  path,
  schema,
  slugHint,
  onCreated,
}: {
  noun: 'Organization' | 'Project';
  title: string;
  path: string;
  schema: typeof createOrganizationBodySchema | typeof createProjectBodySchema;
  slugHint: string;
  onCreated: (name: string) => Promise<void>;
}) {
  const { form, formError, onSubmit } = useApiForm({
    schema,
    defaultValues: { slug: '', name: '' },
    send: async (values) => {
      await browserApi(path, { method: 'POST', body: values });
      form.reset();
      await onCreated(values.name);
    },
  });
  const titleId = `create-${noun.toLowerCase()}-title`;
  return (
    <form onSubmit={onSubmit} noValidate className="admin-form" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      <Field form={form} name="name" label={`${noun} name`} required />
      <Field form={form} name="slug" label={`${noun} slug`} hint={slugHint} required />
      <FormError message={formError} />
      <button type="submit">{`Create ${noun.toLowerCase()}`}</button>
    </form>
  );
}

/** The server's schema, with the select's empty choice standing for "the whole organization" (null). */
const addMembershipSchema = setMembershipBodySchema.extend({ projectId: z.union([z.literal(''), z.uuid()]) });

interface MembershipsProps {
  memberships: Part<MembershipRecord>;
  projects: Project[];
  roles: Role[];
  done: (message: string) => Promise<void>;
}

function Memberships({ memberships, projects, roles, done }: MembershipsProps) {
  const where = (projectId: string | null) => (projectId === null ? 'Whole organization' : (projects.find((p) => p.id === projectId)?.name ?? projectId));
  const { form, formError, onSubmit } = useApiForm({
    schema: addMembershipSchema,
    defaultValues: { email: '', role: 'viewer', projectId: '' },
    send: async (values) => {
      await browserApi('/api/memberships', { method: 'PUT', body: { ...values, projectId: values.projectId || null } });
      form.reset();
      await done(`${values.email} is ${values.role} in ${where(values.projectId || null)}.`);
    },
  });
  const roleOptions = roles.map((r) => ({ value: r.name, label: r.name }));
  return (
    <Panel titleId="memberships-title" title="Memberships">
      {memberships.items === null ? (
        <p role="status">{memberships.refused}</p>
      ) : (
        <>
          <DataTable
            label="Memberships"
            columns={['User', 'Where', 'Role', 'Actions']}
            records={memberships.items}
            row={(m) => (
              <tr key={m.id}>
                <th scope="row">{m.email}</th>
                <td>{where(m.projectId)}</td>
                <td>
                  <ChangeRole key={`${m.id}-${m.role}`} membership={m} roleOptions={roleOptions} where={where(m.projectId)} done={done} />
                </td>
                <td>
                  <ConfirmButton
                    label="Remove"
                    accessibleLabel={`Remove ${m.email} from ${where(m.projectId)}`}
                    title={`Remove ${m.email} from ${where(m.projectId)}?`}
                    confirmLabel="Remove membership"
                    onConfirm={async () => {
                      await browserApi(`/api/memberships/${m.id}`, { method: 'DELETE' });
                      await done(`${m.email} is no longer a member of ${where(m.projectId)}.`);
                    }}
                  >
                    <p>They lose the role {m.role} there; their account stays.</p>
                  </ConfirmButton>
                </td>
              </tr>
            )}
          />
          <form onSubmit={onSubmit} noValidate className="admin-form" aria-labelledby="add-membership-title">
            <h3 id="add-membership-title">Add a member</h3>
            <Field form={form} name="email" label="Email of an existing user" type="email" autoComplete="off" required />
            <Field
              form={form}
              name="projectId"
              label="Where"
              options={[{ value: '', label: 'Whole organization' }, ...projects.map((p) => ({ value: p.id, label: p.name }))]}
            />
            <Field form={form} name="role" label="Role" options={roleOptions.length > 0 ? roleOptions : undefined} />
            <FormError message={formError} />
            <button type="submit">Add member</button>
          </form>
        </>
      )}
    </Panel>
  );
}

function ChangeRole({
  membership,
  roleOptions,
  where,
  done,
}: {
  membership: MembershipRecord;
  roleOptions: { value: string; label: string }[];
  where: string;
  done: (message: string) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const id = `role-${membership.id}`;
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const role = String(new FormData(event.currentTarget).get('role'));
        setError(null);
        void browserApi('/api/memberships', { method: 'PUT', body: { email: membership.email, role, projectId: membership.projectId } })
          .then(() => done(`${membership.email} is now ${role} in ${where}.`))
          .catch((failure: Error) => setError(failure.message));
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Role of {membership.email} in {where}
      </label>
      <select id={id} name="role" defaultValue={membership.role} aria-describedby={error ? `${id}-error` : undefined}>
        {(roleOptions.some((o) => o.value === membership.role) ? roleOptions : [{ value: membership.role, label: membership.role }, ...roleOptions]).map(
          (o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
      <button type="submit" aria-label={`Change the role of ${membership.email} in ${where}`}>
        Change
      </button>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
