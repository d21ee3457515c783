/**
 * A bounded wait on work that cannot be cancelled: rejects with `onTimeout()`'s error once
 * `timeoutMs` has passed, leaving the work to settle on its own (its own timeouts bound it).
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
