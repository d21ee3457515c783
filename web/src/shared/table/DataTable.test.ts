import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from './DataTable.tsx';

const row = (name: string) => createElement('tr', { key: name }, createElement('th', { scope: 'row' }, name));

describe('DataTable', () => {
  it('names its columns in a header row, and shows one row per record', () => {
    const html = renderToStaticMarkup(createElement(DataTable<string>, { label: 'Roles', columns: ['Name', 'Actions'], records: ['admin', 'viewer'], row }));
    expect(html).toBe(
      '<table aria-label="Roles"><thead><tr><th scope="col">Name</th><th scope="col">Actions</th></tr></thead>' +
        '<tbody><tr><th scope="row">admin</th></tr><tr><th scope="row">viewer</th></tr></tbody></table>',
    );
  });

  it('is named by a visually hidden caption when it has one', () => {
    const html = renderToStaticMarkup(
      createElement(DataTable<string>, { caption: 'Every role', className: 'admin-table', columns: ['Name'], records: [], row }),
    );
    expect(html).toBe(
      '<table class="admin-table"><caption class="visually-hidden">Every role</caption><thead><tr><th scope="col">Name</th></tr></thead><tbody></tbody></table>',
    );
  });

  it('says its empty sentence instead of an empty table', () => {
    const html = renderToStaticMarkup(createElement(DataTable<string>, { label: 'Roles', columns: ['Name'], records: [], row, empty: 'No roles yet.' }));
    expect(html).toBe('<p>No roles yet.</p>');
  });
});
