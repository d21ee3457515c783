/**
 * Every permission Watchkeeper knows (contracts/permissions.ts) as checkboxes, grouped by subject
 * (`users:read`, `users:write` → "users"), one fieldset for the whole list so its error is read with it.
 */
import { useId } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { permissions, type Permission } from '../../../../contracts/permissions.ts';

export function permissionGroups(list: readonly Permission[] = permissions): [string, Permission[]][] {
  const groups = new Map<string, Permission[]>();
  for (const permission of list) {
    const subject = permission.split(':')[0]!;
    groups.set(subject, [...(groups.get(subject) ?? []), permission]);
  }
  return [...groups];
}

export function PermissionChecklist<Values extends FieldValues>({ form, name }: { form: UseFormReturn<Values>; name: Path<Values> }) {
  const id = useId();
  const error = form.formState.errors[name]?.message;
  return (
    <fieldset className="permission-list" aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend>Permissions</legend>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {String(error)}
        </p>
      )}
      {permissionGroups().map(([subject, list]) => (
        <fieldset key={subject} className="permission-group">
          <legend>{subject}</legend>
          {list.map((permission) => (
            <label key={permission} className="checkbox">
              <input type="checkbox" value={permission} {...form.register(name)} />
              {permission}
            </label>
          ))}
        </fieldset>
      ))}
    </fieldset>
  );
}
