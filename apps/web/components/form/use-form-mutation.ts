'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { z } from 'zod';
import { fieldErrors, zodFieldErrors } from '@/lib/errors';
import { focusFirstInvalid } from '@/lib/focus';

/** Input checked in the browser: the request body, or the failing fields in the API's words. */
export type Validated<T> = { ok: true; body: T } | { ok: false; errors: Record<string, string> };

/** Checks `input` with a contracts schema (the one the API validates the same body with). */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, errors: zodFieldErrors(parsed.error) };
}

/**
 * A form that validates in the browser first and then calls the API. `errors` holds the field errors
 * of either (keyed by body field name); `formError` is an API failure no field explains (show it as an
 * alert). After a failure, focus moves to the first invalid field.
 */
export function useFormMutation<TBody, TResult>({
  mutationFn,
  onSuccess,
}: {
  mutationFn(body: TBody): Promise<TResult>;
  onSuccess?(result: TResult): void;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn,
    onSuccess: (result) => onSuccess?.(result),
    onError: () => focusFirstInvalid(form.current),
  });
  const serverErrors = mutation.isError ? fieldErrors(mutation.error) : {};
  return {
    form,
    mutation,
    errors: { ...serverErrors, ...clientErrors },
    formError: mutation.isError && Object.keys(serverErrors).length === 0 ? mutation.error : null,
    /** Sends a valid body; shows (and focuses) the errors of an invalid one without a request. */
    submit(input: Validated<TBody>) {
      if (!input.ok) {
        setClientErrors(input.errors);
        mutation.reset();
        focusFirstInvalid(form.current);
        return;
      }
      setClientErrors({});
      mutation.mutate(input.body);
    },
    reset() {
      setClientErrors({});
      mutation.reset();
    },
  };
}
