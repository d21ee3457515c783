/**
 * A panel of a page: a region named by its own heading (`aria-labelledby` the h2), the unit a page
 * is composed of and that a PanelBoundary guards.
 */
import type { ReactNode } from 'react';

interface PanelProps {
  /** The heading's id, which names the region. */
  titleId: string;
  title: ReactNode;
  /** Classes beside `panel`. */
  className?: string;
  titleClassName?: string;
  children?: ReactNode;
}

export function Panel({ titleId, title, className, titleClassName, children }: PanelProps) {
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={titleId}>
      <h2 id={titleId} className={titleClassName}>
        {title}
      </h2>
      {children}
    </section>
  );
}
