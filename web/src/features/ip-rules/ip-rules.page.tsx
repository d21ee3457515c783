/**
 * IP allow and deny rules, instance-wide: the list, a form to add one, and deletion after a
 * confirmation. The server refuses a change that would shut out the caller's own address, and
 * says so in the form (or the dialog).
 */
import { useLoaderData } from 'react-router';
import { z } from 'zod';
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
import { ChangeNotice, useChangeNotice } from '../administration/ChangeNotice.tsx';

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

export const loader = listLoader<IpRule>('/api/ip-rules');

export function Component() {
  const { items } = useLoaderData<typeof loader>();
  const { notice, changed } = useChangeNotice();
  return (
    <AdminLayout title="IP rules">
      <p className="muted">A deny rule always wins. Once a scope has an allow rule, only the addresses it matches reach that scope.</p>
      <ChangeNotice notice={notice} />
      <PanelBoundary title="Rules">
        <Panel titleId="ip-rules-title" title="Rules">
          <DataTable
            label="IP rules"
            columns={['Action', 'Address or range', 'Applies to', 'Note', 'Added by', 'Actions']}
            records={items}
            empty="No rules: every address may reach every route."
            row={(rule) => (
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
                      await changed(`The ${rule.action} rule for ${rule.cidr} is deleted.`);
                    }}
                  >
                    <p>It stops applying at once, on every instance.</p>
                  </ConfirmButton>
                </td>
              </tr>
            )}
          />
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Add a rule">
        <AddRule onAdded={(rule) => changed(`The ${rule.action} rule for ${rule.cidr} is added.`)} />
      </PanelBoundary>
    </AdminLayout>
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
    <Panel titleId="add-rule-title" title="Add a rule">
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
    </Panel>
  );
}
