/**
 * The filter panel of a filtered list: a plain GET form back to the page (submitting it, with or
 * without JavaScript, loads the page with those filters), with the server's refusal of a filter
 * announced above it.
 */
import { Link } from 'react-router';
import { nextPageHref, type Filters } from './filtered-page.ts';

export interface FilterField<Name extends string> {
  name: Name;
  label: string;
  /** A select of these values (and "Any") instead of a text input. */
  options?: readonly string[];
  hint?: string;
}

interface FilterFormProps<Name extends string> {
  /** Prefixes the panel's ids: `<id>-title` for its heading, `<id>-error` for the refusal. */
  id: string;
  /** Prefixes each field's id: `<fieldId>-<name>`. */
  fieldId: string;
  /** The page itself: where the form goes, and what Clear links to. */
  action: string;
  fields: readonly FilterField<Name>[];
  filters: Filters<Name>;
  refused: string | null;
}

export function FilterForm<Name extends string>({ id, fieldId, action, fields, filters, refused }: FilterFormProps<Name>) {
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Filters</h2>
      {refused && (
        <p className="form-error" role="alert" id={`${id}-error`}>
          {refused}
        </p>
      )}
      {/* key: a new query string (back, a link) shows its own values, not the last ones typed. */}
      <form method="get" action={action} className="filter-form" key={JSON.stringify(filters)}>
        {fields.map(({ name, label, options, hint }) => {
          const inputId = `${fieldId}-${name}`;
          return (
            <div className="field" key={name}>
              <label htmlFor={inputId}>{label}</label>
              {options ? (
                <select id={inputId} name={name} defaultValue={filters[name] ?? ''}>
                  <option value="">Any</option>
                  {options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={inputId} name={name} defaultValue={filters[name] ?? ''} aria-describedby={hint ? `${inputId}-hint` : undefined} />
              )}
              {hint && (
                <p className="hint" id={`${inputId}-hint`}>
                  {hint}
                </p>
              )}
            </div>
          );
        })}
        <div className="filter-actions">
          <button type="submit">Apply filters</button> <a href={action}>Clear</a>
        </div>
      </form>
    </section>
  );
}

/** The link to the next (older) page, when the server says there is one. */
export function NextPageLink({ query, cursor, children }: { query: string; cursor: string | null; children: string }) {
  if (!cursor) return null;
  return (
    <p>
      <Link to={nextPageHref(query, cursor)}>{children}</Link>
    </p>
  );
}
