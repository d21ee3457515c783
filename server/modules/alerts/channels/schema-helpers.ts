/** Config schema pieces every channel shares, so they all refuse the same bad input. */
import { z } from 'zod';

/** An http(s) URL: anything else (file:, javascript:, gopher:) has no business in a receiver. */
export const httpUrl = z.url({ protocol: /^https?$/ });

export const secretString = z.string().min(1);
