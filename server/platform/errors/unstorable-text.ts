/**
 * Finds text in a request body that PostgreSQL cannot store: NUL (refused in text and jsonb) and
 * lone UTF-16 surrogates (JSON.stringify writes them as `\ud800`, which jsonb refuses, and the
 * driver would silently replace them in text columns). Checked once for every body, so no route
 * can answer 500 for them or store something other than what was sent; the answer names the field.
 */
// A high surrogate not followed by a low one, a low one not preceded by a high one, or NUL.
// Without the `u` flag the pattern sees UTF-16 code units, which is what a lone surrogate is.
// eslint-disable-next-line no-control-regex
const UNSTORABLE_PATTERN = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;

/** The JSON pointer (under `/body`) of the first unstorable string or key, or undefined. */
export function findUnstorableText(body: unknown): string | undefined {
  // Each entry links to its parent instead of copying the path: a deeply nested body (the
  // pentest sends thousands of levels) must cost linear time and memory, not quadratic.
  interface Step {
    value: unknown;
    key: string | undefined;
    parent: Step | undefined;
  }
  const pathOf = (step: Step | undefined, last?: string): string[] => {
    const path: string[] = last === undefined ? [] : [last];
    for (let at = step; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const pending: Step[] = [{ value: body, key: undefined, parent: undefined }];
  while (pending.length > 0) {
    const step = pending.pop()!;
    const { value } = step;
    if (typeof value === 'string') {
      if (UNSTORABLE_PATTERN.test(value)) return pointer(pathOf(step));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, key: String(index), parent: step }));
    } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      // Bytes (protobuf bodies) are the parser's to judge; plain objects and arrays are walked.
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE_PATTERN.test(key)) return pointer(pathOf(step, key));
        pending.push({ value: item, key, parent: step });
      }
    }
  }
  return undefined;
}

function pointer(path: string[]): string {
  return `/${['body', ...path].map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}
