'use client';

import { type ReactNode, useId } from 'react';

/** The filter bar above a list: a `<search>` landmark laid out as a grid (columns from `className`). */
export function ListToolbar({
  label,
  className,
  children,
}: {
  label?: string;
  className: string;
  children: ReactNode;
}) {
  return (
    <search className={`grid gap-3 ${className}`} aria-label={label}>
      {children}
    </search>
  );
}

/** Free-text search; pair it with useDebouncedSearch so the list queries once per pause. */
export function SearchField({
  value,
  onChange,
  placeholder,
  label = 'Search',
  maxLength,
}: {
  value: string;
  onChange(value: string): void;
  placeholder: string;
  label?: string;
  /** The API's limit for the search parameter, so a paste cannot turn the list into a 422. */
  maxLength?: number | undefined;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      <input
        id={id}
        type="search"
        className="input"
        placeholder={placeholder}
        maxLength={maxLength}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

export interface FilterOption<V extends string> {
  value: V;
  label: string;
}

/** A labelled select whose first option ('' = no filter) is `anyLabel`. */
export function SelectFilter<V extends string>({
  label,
  anyLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  anyLabel: string;
  value: NoInfer<V> | '';
  options: readonly FilterOption<V>[];
  onChange(value: NoInfer<V> | ''): void;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value as V | '')}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** `{ value, label }` options from a list of values and their labels. */
export function optionsOf<V extends string>(
  values: readonly V[],
  labels: Record<V, string>,
): FilterOption<V>[] {
  return values.map((value) => ({ value, label: labels[value] }));
}
