/**
 * A table of records: a header row naming the columns, one row per record and, for a list that may
 * be empty, a sentence in the table's place. Every table has a name for assistive technology: a
 * visually hidden caption, or `aria-label` where the panel's heading already shows what it holds.
 */
import type { ReactNode } from 'react';

type TableName = { caption: string; label?: never } | { label: string; caption?: never };

type DataTableProps<Record> = TableName & {
  columns: readonly string[];
  records: readonly Record[];
  /** One `<tr>`, with its key: a row's header cell (`<th scope="row">`) is the page's to choose. */
  row: (record: Record) => ReactNode;
  /** Shown instead of the table when there are no records; without it an empty table keeps its header. */
  empty?: ReactNode;
  className?: string;
};

export function DataTable<Record>({ caption, label, columns, records, row, empty, className }: DataTableProps<Record>) {
  if (records.length === 0 && empty !== undefined) return <p>{empty}</p>;
  return (
    <table className={className} aria-label={label}>
      {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{records.map(row)}</tbody>
    </table>
  );
}
