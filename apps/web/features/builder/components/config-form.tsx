'use client';

import { type FocusEvent, useEffect, useRef, useState } from 'react';
import { errorsFor, type FieldSpec, getIn, setIn, textToValue, valueToText } from '../schema-form';

export interface FormContext {
  nodeId: string;
  config: Record<string, unknown>;
  errors: Record<string, string[]>;
  onChange(config: Record<string, unknown>, coalesceKey: string): void;
  /** A text field took focus: the variable picker inserts there. */
  onTextFocus(el: HTMLInputElement | HTMLTextAreaElement): void;
}

const fieldId = (ctx: FormContext, f: FieldSpec) => `cfg-${ctx.nodeId}-${f.path.join('-')}`;

/**
 * Local text for fields whose text and value differ (lists, JSON): typing keeps what was typed, an
 * outside change (undo, variable insert) resets it.
 */
function useTextBuffer(value: unknown, format: (v: unknown) => string) {
  const [text, setText] = useState(() => format(value));
  const committed = useRef(value);
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(format(value));
    }
  }, [value, format]);
  return { text, setText, committed };
}

function Describe({ id, field, errors }: { id: string; field: FieldSpec; errors: string[] }) {
  return (
    <>
      {field.description && !errors.length && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          {field.description}
        </p>
      )}
      {errors.length > 0 && (
        <p id={`${id}-error`} className="field-error" data-testid={`field-error-${field.path.join('.')}`}>
          {errors.join(' · ')}
        </p>
      )}
    </>
  );
}

function FieldLabel({ id, field }: { id: string; field: FieldSpec }) {
  return (
    <label htmlFor={id} className="label">
      {field.label}
      {field.required && (
        <span aria-hidden className="text-red-600">
          {' '}
          *
        </span>
      )}
    </label>
  );
}

const describedBy = (id: string, field: FieldSpec, errors: string[]) =>
  errors.length ? `${id}-error` : field.description ? `${id}-hint` : undefined;

const placeholderOf = (f: FieldSpec) =>
  f.defaultValue !== undefined && typeof f.defaultValue !== 'object'
    ? `default: ${String(f.defaultValue)}`
    : undefined;

const listFormat = (v: unknown) => (Array.isArray(v) ? v.map(String).join('\n') : '');
const jsonFormat = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));

function TextField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'string' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  const props = {
    id,
    className: 'input',
    value: typeof value === 'string' ? value : '',
    placeholder: placeholderOf(field),
    'aria-invalid': errors.length ? true : undefined,
    'aria-required': field.required || undefined,
    'aria-describedby': describedBy(id, field, errors),
    'data-variable-target': 'true',
    onFocus: (e: FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => ctx.onTextFocus(e.currentTarget),
    onChange: (e: { currentTarget: { value: string } }) =>
      ctx.onChange(
        setIn(ctx.config, field.path, e.currentTarget.value === '' ? undefined : e.currentTarget.value),
        field.path.join('.'),
      ),
  };
  return (
    <div>
      <FieldLabel id={id} field={field} />
      {field.multiline ? (
        <textarea rows={3} {...props} />
      ) : (
        <input type="text" autoComplete="off" {...props} />
      )}
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function NumberField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'number' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  return (
    <div>
      <FieldLabel id={id} field={field} />
      <input
        id={id}
        type="number"
        className="input"
        step={field.integer ? 1 : 'any'}
        min={field.min}
        max={field.max}
        value={typeof value === 'number' ? value : ''}
        placeholder={placeholderOf(field)}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(id, field, errors)}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          ctx.onChange(
            setIn(ctx.config, field.path, raw === '' ? undefined : Number(raw)),
            field.path.join('.'),
          );
        }}
      />
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function BooleanField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'boolean' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  const checked = typeof value === 'boolean' ? value : field.defaultValue === true;
  return (
    <div>
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-describedby={describedBy(id, field, errors)}
          onChange={(e) =>
            ctx.onChange(setIn(ctx.config, field.path, e.currentTarget.checked), field.path.join('.'))
          }
        />
        <label htmlFor={id} className="text-sm">
          {field.label}
        </label>
      </div>
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function EnumField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'enum' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  return (
    <div>
      <FieldLabel id={id} field={field} />
      <select
        id={id}
        className="input"
        value={typeof value === 'string' ? value : ''}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={describedBy(id, field, errors)}
        onChange={(e) =>
          ctx.onChange(
            setIn(ctx.config, field.path, e.currentTarget.value === '' ? undefined : e.currentTarget.value),
            field.path.join('.'),
          )
        }
      >
        {!field.required && (
          <option value="">
            {field.defaultValue !== undefined ? `Default (${String(field.defaultValue)})` : 'Not set'}
          </option>
        )}
        {field.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function EnumListField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'enum-list' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  const current = Array.isArray(value)
    ? (value as string[])
    : Array.isArray(field.defaultValue)
      ? (field.defaultValue as string[])
      : [];
  return (
    <fieldset aria-describedby={describedBy(id, field, errors)}>
      <legend className="label">{field.label}</legend>
      <div className="flex flex-wrap gap-3">
        {field.options.map((o) => (
          <label key={o} className="flex items-center gap-1 text-sm">
            <input
              type="checkbox"
              checked={current.includes(o)}
              onChange={(e) => {
                const next = e.currentTarget.checked ? [...current, o] : current.filter((x) => x !== o);
                ctx.onChange(setIn(ctx.config, field.path, next), field.path.join('.'));
              }}
            />
            {o}
          </label>
        ))}
      </div>
      <Describe id={id} field={field} errors={errors} />
    </fieldset>
  );
}

function StringListField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'string-list' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  const { text, setText, committed } = useTextBuffer(value, listFormat);
  return (
    <div>
      <FieldLabel id={id} field={field} />
      <textarea
        id={id}
        rows={3}
        className="input font-mono"
        value={text}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={`${id}-list-hint ${describedBy(id, field, errors) ?? ''}`.trim()}
        data-variable-target="true"
        onFocus={(e) => ctx.onTextFocus(e.currentTarget)}
        onChange={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          const lines = t
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
          const next = lines.length || field.required ? lines : undefined;
          committed.current = next;
          ctx.onChange(setIn(ctx.config, field.path, next), field.path.join('.'));
        }}
      />
      <p id={`${id}-list-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        One per line.
      </p>
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

/** Any value: JSON when the text is JSON, otherwise the text itself (templates such as `{{...}}`). */
function ValueField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'value' } }) {
  const id = fieldId(ctx, field);
  const errors = errorsFor(ctx.errors, field.path);
  const value = getIn(ctx.config, field.path);
  const { text, setText, committed } = useTextBuffer(value, valueToText);
  return (
    <div>
      <FieldLabel id={id} field={field} />
      <textarea
        id={id}
        rows={field.key === 'body' || field.key === 'value' ? 4 : 2}
        className="input font-mono"
        value={text}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={`${id}-value-hint ${describedBy(id, field, errors) ?? ''}`.trim()}
        data-variable-target="true"
        onFocus={(e) => ctx.onTextFocus(e.currentTarget)}
        onChange={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          const next = textToValue(t);
          committed.current = next;
          ctx.onChange(setIn(ctx.config, field.path, next), field.path.join('.'));
        }}
      />
      <p id={`${id}-value-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        Text or JSON.
      </p>
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function JsonField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'json' } }) {
  const id = fieldId(ctx, field);
  const value = getIn(ctx.config, field.path);
  const { text, setText, committed } = useTextBuffer(value, jsonFormat);
  const [parseError, setParseError] = useState<string | null>(null);
  const errors = [...(parseError ? [parseError] : []), ...errorsFor(ctx.errors, field.path)];
  return (
    <div>
      <FieldLabel id={id} field={field} />
      <textarea
        id={id}
        rows={4}
        spellCheck={false}
        className="input font-mono text-xs"
        value={text}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={`${id}-json-hint ${describedBy(id, field, errors) ?? ''}`.trim()}
        data-variable-target="true"
        onFocus={(e) => ctx.onTextFocus(e.currentTarget)}
        onChange={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          if (t.trim() === '') {
            setParseError(null);
            committed.current = undefined;
            ctx.onChange(setIn(ctx.config, field.path, undefined), field.path.join('.'));
            return;
          }
          try {
            const next: unknown = JSON.parse(t);
            setParseError(null);
            committed.current = next;
            ctx.onChange(setIn(ctx.config, field.path, next), field.path.join('.'));
          } catch {
            setParseError('Not valid JSON yet: the last valid value is kept');
          }
        }}
      />
      <p id={`${id}-json-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        JSON.
      </p>
      <Describe id={id} field={field} errors={errors} />
    </div>
  );
}

function ObjectField({ ctx, field }: { ctx: FormContext; field: FieldSpec & { kind: 'object' } }) {
  // Nested fields show their own errors; the fieldset shows what belongs to the object itself.
  const own = ctx.errors[field.path.join('.')] ?? [];
  return (
    <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <legend className="px-1 text-sm font-medium">{field.label}</legend>
      <div className="flex flex-col gap-3">
        {field.fields.map((f) => (
          <ConfigField key={f.key} ctx={ctx} field={f} />
        ))}
      </div>
      {own.length > 0 && <p className="field-error">{own.join(' · ')}</p>}
    </fieldset>
  );
}

export function ConfigField({ ctx, field }: { ctx: FormContext; field: FieldSpec }) {
  switch (field.kind) {
    case 'string':
      return <TextField ctx={ctx} field={field} />;
    case 'number':
      return <NumberField ctx={ctx} field={field} />;
    case 'boolean':
      return <BooleanField ctx={ctx} field={field} />;
    case 'enum':
      return <EnumField ctx={ctx} field={field} />;
    case 'enum-list':
      return <EnumListField ctx={ctx} field={field} />;
    case 'string-list':
      return <StringListField ctx={ctx} field={field} />;
    case 'object':
      return <ObjectField ctx={ctx} field={field} />;
    case 'value':
      return <ValueField ctx={ctx} field={field} />;
    default:
      return <JsonField ctx={ctx} field={field} />;
  }
}

/** The whole form: main fields, then the engine-wide settings under "Advanced". */
export function ConfigForm({ ctx, fields }: { ctx: FormContext; fields: FieldSpec[] }) {
  const main = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  const general = ctx.errors[''] ?? [];
  return (
    <div className="flex flex-col gap-3">
      {general.length > 0 && (
        <p className="field-error" data-testid="config-error">
          {general.join(' · ')}
        </p>
      )}
      {main.map((f) => (
        <ConfigField key={f.key} ctx={ctx} field={f} />
      ))}
      {advanced.length > 0 && (
        <details className="rounded-md border border-slate-200 p-2 dark:border-slate-700">
          <summary className="cursor-pointer text-sm font-medium">Advanced (timeout, retries)</summary>
          <div className="mt-3 flex flex-col gap-3">
            {advanced.map((f) => (
              <ConfigField key={f.key} ctx={ctx} field={f} />
            ))}
          </div>
        </details>
      )}
    </div>
  );
}
