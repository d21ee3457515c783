import { createContext, useContext } from 'react';
import type { Viewer } from './page-data.ts';

export const ViewerContext = createContext<Viewer | null>(null);

/** The signed-in user, or null on the public pages. */
export const useViewer = () => useContext(ViewerContext);
