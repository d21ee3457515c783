/** The frame of an administration page: the sub-navigation between admin pages, and its h1. */
import type { ReactNode } from 'react';
import { AdminNav } from './AdminNav.tsx';

export function AdminLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <AdminNav />
      <h1>{title}</h1>
      {children}
    </>
  );
}
