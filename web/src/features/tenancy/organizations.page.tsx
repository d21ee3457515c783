/**
 * Organizations: the ones you belong to (create one, rename), and, in the organization you act in,
 * its projects (create, rename, delete) and who holds which role there (add a user, change the
 * role, remove). Each panel loads on its own: a refusal of one (no users:read) leaves the others.
 */
import { useState } from 'react';
import { useLoaderData, useRevalidator, type LoaderFunctionArgs } from 'react-router';
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
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { AdminNav } from '../administration/AdminNav.tsx';
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
  const { revalidate } = useRevalidator();
  const [notice, setNotice] = useState('');
  const acting = organizations.find((o) => projects.items?.some((p) => p.organizationId === o.id)) ?? organizations[0];
  const done = async (message: string) => {
    setNotice(message);
    await revalidate();
  };
  return (
    <>
      <h1>Organizations</h1>
      <AdminNav />
      <p role="status" className="notice">
        {notice}
      </p>
      <PanelBoundary title="Your organizations">
        <section className="panel" aria-labelledby="organizations-title">
          <h2 id="organizations-title">Your organizations</h2>
          <table aria-label="Your organizations">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slug</th>
                <th scope="col">Your role</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {organizations.map((o) => (
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
              ))}
            </tbody>
          </table>
          <CreateOrganization onCreated={(name) => done(`The organization ${name} is created; you are its owner.`)} />
        </section>
      </PanelBoundary>
      <PanelBoundary title="Projects">
        <section className="panel" aria-labelledby="projects-title">
          <h2 id="projects-title">Projects of {acting?.name ?? 'this organization'}</h2>
          {projects.items === null ? (
            <p role="status">{projects.refused}</p>
          ) : (
            <>
              <table aria-label="Projects">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Slug</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {projects.items.map((project) => (
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
                  ))}
                </tbody>
              </table>
              <CreateProject onCreated={(name) => done(`The project ${name} is created.`)} />
            </>
          )}
        </section>
      </PanelBoundary>
      <PanelBoundary title="Memberships">
        <Memberships memberships={memberships} projects={projects.items ?? []} roles={roles} done={done} />
      </PanelBoundary>
    </>
  );
}

function CreateOrganization({ onCreated }: { onCreated: (name: string) => Promise<void> }) {
  const { form, formError, onSubmit } = useApiForm({
    schema: createOrganizationBodySchema,
    defaultValues: { slug: '', name: '' },
    send: async (values) => {
      await browserApi('/api/organizations', { method: 'POST', body: values });
      form.reset();
      await onCreated(values.name);
    },
  });
  return (
    <form onSubmit={onSubmit} noValidate className="admin-form" aria-labelledby="create-organization-title">
      <h3 id="create-organization-title">Create an organization</h3>
      <Field form={form} name="name" label="Organization name" required />
      <Field form={form} name="slug" label="Organization slug" hint="Lowercase letters, digits and dashes; used in URLs." required />
      <FormError message={formError} />
      <button type="submit">Create organization</button>
    </form>
  );
}

function CreateProject({ onCreated }: { onCreated: (name: string) => Promise<void> }) {
  const { form, formError, onSubmit } = useApiForm({
    schema: createProjectBodySchema,
    defaultValues: { slug: '', name: '' },
    send: async (values) => {
      await browserApi('/api/projects', { method: 'POST', body: values });
      form.reset();
      await onCreated(values.name);
    },
  });
  return (
    <form onSubmit={onSubmit} noValidate className="admin-form" aria-labelledby="create-project-title">
      <h3 id="create-project-title">Create a project</h3>
      <Field form={form} name="name" label="Project name" required />
      <Field form={form} name="slug" label="Project slug" hint="Lowercase letters, digits and dashes." required />
      <FormError message={formError} />
      <button type="submit">Create project</button>
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
    <section className="panel" aria-labelledby="memberships-title">
      <h2 id="memberships-title">Memberships</h2>
      {memberships.items === null ? (
        <p role="status">{memberships.refused}</p>
      ) : (
        <>
          <table aria-label="Memberships">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Where</th>
                <th scope="col">Role</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {memberships.items.map((m) => (
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
              ))}
            </tbody>
          </table>
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
    </section>
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
