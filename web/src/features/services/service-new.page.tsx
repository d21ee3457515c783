/** Adds an external service to the project the user acts in, then shows it. */
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import type { ServiceRecord } from '../../../../contracts/services.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { emptyServiceForm } from './service-form-schema.ts';
import { servicesKey } from './services-api.ts';
import { ServiceForm } from './ServiceForm.tsx';

export const handle: PageHandle = { title: 'Add a service' };

export function Component() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/services">Services</Link>
      </p>
      <h1>Add a service</h1>
      <section className="panel">
        <ServiceForm
          defaultValues={emptyServiceForm}
          submitLabel="Add service"
          send={async (body) => {
            const created = await browserApi<ServiceRecord>('/api/services', { method: 'POST', body });
            await queryClient.invalidateQueries({ queryKey: servicesKey });
            await navigate(`/services/${created.name}`, { state: { saved: 'added' } });
          }}
        />
      </section>
    </>
  );
}
