/**
 * IP allow and deny rules, instance-wide: the list, a form to add one, and deletion after a
 * confirmation. The server refuses a change that would shut out the caller's own address, and
 * says so in the form (or the dialog).
 */
import { useState } from 'react';
import { useLoaderData, useRevalidator, type LoaderFunctionArgs } from 'react-router';
import { z } from 'zod';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { ConfirmButton } from '../../shared/confirm/ConfirmButton.tsx';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { AdminNav } from '../administration/AdminNav.tsx';

/**
 * The server's body schema (server/platform/security/ip-rules/ip-rules.schemas.ts) in shape and
 * bounds; it parses the CIDR with node:net, which the browser lacks, so a malformed range is the
 * server's field error on `cidr`.
 */
const ruleScopes = ['all', 'admin', 'ingest', 'health', 'web'] as const;
export const createIpRuleFormSchema = z.object({
  action: z.enum(['allow', 'deny']),
  cidr: z.string().trim().min(1, 'give an address or range').max(64),
  scope: z.enum(ruleScopes),
  description: z.string().max(200),
});

interface IpRule {
  id: string;
  action: 'allow' | 'deny';
  cidr: string;
  scope: (typeof ruleScopes)[number];
  description: string;
  createdBy: string | null;
  createdAt: string;
}

const scopeLabels: Record<IpRule['scope'], string> = {
  all: 'Everything',
  admin: 'Admin API (/api)',
  ingest: 'Ingest',
  health: 'Health probes (/health)',
  web: 'Web UI and docs',
};

export const handle: PageHandle = { title: 'IP rules' };

export async function loader({ context }: LoaderFunctionArgs) {
  return orRouteError(apiFrom(context)<{ items: IpRule[] }>('/api/ip-rules'));
}

export function Component() {
  const { items } = useLoaderData<typeof loader>();
  const { revalidate } = useRevalidator();
  const [notice, setNotice] = useState('');
  return (
    <>
      <h1>IP rules</h1>
      <AdminNav />
      <p className="muted">A deny rule always wins. Once a scope has an allow rule, only the addresses it matches reach that scope.</p>
      <p role="status" className="notice">
        {notice}
      </p>
      <PanelBoundary title="Rules">
        <section className="panel" aria-labelledby="ip-rules-title">
          <h2 id="ip-rules-title">Rules</h2>
          {items.length === 0 ? (
            <p>No rules: every address may reach every route.</p>
          ) : (
            <table aria-label="IP rules">
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Address or range</th>
                  <th scope="col">Applies to</th>
                  <th scope="col">Note</th>
                  <th scope="col">Added by</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((rule) => (
                  <tr key={rule.id}>
                    <td className={rule.action === 'allow' ? 'status-pass' : 'status-fail'}>{rule.action === 'allow' ? 'Allow' : 'Deny'}</td>
                    <th scope="row">
                      <code>{rule.cidr}</code>
                    </th>
                    <td>{scopeLabels[rule.scope]}</td>
                    <td>{rule.description || <span className="muted">—</span>}</td>
                    <td>{rule.createdBy ?? <span className="muted">—</span>}</td>
                    <td>
                      <ConfirmButton
                        label="Delete"
                        accessibleLabel={`Delete the ${rule.action} rule for ${rule.cidr}`}
                        title={`Delete the ${rule.action} rule for ${rule.cidr}?`}
                        confirmLabel="Delete rule"
                        onConfirm={async () => {
                          await browserApi(`/api/ip-rules/${rule.id}`, { method: 'DELETE' });
                          setNotice(`The ${rule.action} rule for ${rule.cidr} is deleted.`);
                          await revalidate();
                        }}
                      >
                        <p>It stops applying at once, on every instance.</p>
                      </ConfirmButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </PanelBoundary>
      <PanelBoundary title="Add a rule">
        <AddRule
          onAdded={async (rule) => {
            setNotice(`The ${rule.action} rule for ${rule.cidr} is added.`);
            await revalidate();
          }}
        />
      </PanelBoundary>
    </>
  );
}

function AddRule({ onAdded }: { onAdded: (rule: IpRule) => Promise<void> }) {
  const { form, formError, onSubmit } = useApiForm({
    schema: createIpRuleFormSchema,
    defaultValues: { action: 'deny', cidr: '', scope: 'all', description: '' },
    send: async (values) => {
      const rule = await browserApi<IpRule>('/api/ip-rules', { method: 'POST', body: values });
      form.reset();
      await onAdded(rule);
    },
  });
  return (
    <section className="panel" aria-labelledby="add-rule-title">
      <h2 id="add-rule-title">Add a rule</h2>
      <form onSubmit={onSubmit} noValidate className="admin-form">
        <Field
          form={form}
          name="action"
          label="Action"
          options={[
            { value: 'deny', label: 'Deny' },
            { value: 'allow', label: 'Allow' },
          ]}
        />
        <Field form={form} name="cidr" label="Address or range (CIDR)" hint="For example 192.0.2.0/24, 203.0.113.7 or 2001:db8::/32." required />
        <Field form={form} name="scope" label="Applies to" options={ruleScopes.map((scope) => ({ value: scope, label: scopeLabels[scope] }))} />
        <Field form={form} name="description" label="Note" />
        <FormError message={formError} />
        <button type="submit">Add rule</button>
      </form>
    </section>
  );
}
