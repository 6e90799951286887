import { z } from 'zod';
import { roleSchema } from './roles';

/**
 * Bodies and responses of the account endpoints under /api/v1/auth (seed 004 §4.2, issue 3 item 1).
 * Wire format is snake_case. Refresh tokens never appear in a body: they travel only in the httpOnly
 * `af_refresh` cookie.
 */

const uuid = z.uuid();
const timestamp = z.iso.datetime();

/** Password policy: long enough to resist guessing, bounded so hashing cannot be used as a DoS. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

/** Stored lower-cased by the services; the format check happens before that. */
export const emailSchema = z.email({ error: 'must be an email address' }).max(255);

export const signupBodySchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    name: z.string().trim().min(1).max(255),
    organization_name: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe('Defaults to "<name>\'s organization"'),
  })
  .strict();
export type SignupBody = z.infer<typeof signupBodySchema>;

export const loginBodySchema = z
  .object({
    // Not the signup policy: a login only has to be bounded, the hash decides the rest.
    email: z.string().min(1).max(255),
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    org_id: uuid.optional().describe('Org to sign in to; defaults to the oldest membership'),
  })
  .strict();
export type LoginBody = z.infer<typeof loginBodySchema>;

export const switchOrgBodySchema = z.object({ org_id: uuid }).strict();
export type SwitchOrgBody = z.infer<typeof switchOrgBodySchema>;

export const authUserSchema = z
  .object({
    id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'AuthUser' });
export type AuthUser = z.infer<typeof authUserSchema>;

export const authOrgSchema = z
  .object({ id: uuid, name: z.string(), slug: z.string(), plan: z.string() })
  .meta({ id: 'AuthOrganization' });
export type AuthOrg = z.infer<typeof authOrgSchema>;

/**
 * What signup, login, refresh and switch-org return: a 15-minute access token for `organization`
 * (the refresh token is set as a cookie alongside).
 */
export const authSessionSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds until access_token expires'),
    user: authUserSchema,
    organization: authOrgSchema,
    role: roleSchema,
  })
  .meta({ id: 'AuthSession' });
export type AuthSession = z.infer<typeof authSessionSchema>;

export const meResponseSchema = z
  .object({
    user: authUserSchema,
    organization: authOrgSchema,
    role: roleSchema,
    organizations: z.array(authOrgSchema.extend({ role: roleSchema })).describe('Every org the user is in'),
  })
  .meta({ id: 'Me' });
export type MeResponse = z.infer<typeof meResponseSchema>;

/** Audit actions written by the account services. */
export const authAuditActions = [
  'auth.signup',
  'auth.login',
  'auth.logout',
  'auth.org_switched',
  'auth.sso_login',
  'auth.sso_failed',
] as const;
export type AuthAuditAction = (typeof authAuditActions)[number];

// ---------------------------------------------------------------------------------------------------
// SSO with WorkOS (issue 3 item 2)

/** Roles SSO may grant on first sign-in: never owner (ownership is only ever handed over by an owner). */
export const ssoDefaultRoles = ['admin', 'editor', 'viewer'] as const;
export const ssoDefaultRoleSchema = z.enum(ssoDefaultRoles);
export type SsoDefaultRole = z.infer<typeof ssoDefaultRoleSchema>;

const workosId = (prefix: string) =>
  z
    .string()
    .min(prefix.length + 1)
    .max(100)
    .regex(new RegExp(`^${prefix}[A-Za-z0-9]+$`), { error: `must be a WorkOS id like ${prefix}01H...` });

/** `PUT /org/sso`: the org's WorkOS organization (and optionally one connection) and the JIT role. */
export const ssoConfigBodySchema = z
  .object({
    workos_organization_id: workosId('org_').describe('WorkOS organization whose users may sign in'),
    connection_id: workosId('conn_')
      .nullable()
      .optional()
      .describe('Pin one WorkOS connection; default: the organization picks its connection'),
    default_role: ssoDefaultRoleSchema
      .default('viewer')
      .describe('Role of users provisioned on first SSO login'),
    enforce: z
      .boolean()
      .default(false)
      .describe('Recorded for the web app (show SSO only); password login is not yet blocked by it'),
  })
  .strict();
export type SsoConfigBody = z.infer<typeof ssoConfigBodySchema>;

export const ssoConfigSchema = z
  .object({
    configured: z.boolean(),
    workos_organization_id: z.string().nullable(),
    connection_id: z.string().nullable(),
    default_role: ssoDefaultRoleSchema.nullable(),
    enforce: z.boolean(),
    authorize_url: z.string().nullable().describe('Where members start an SSO sign-in for this org'),
  })
  .meta({ id: 'SsoConfig' });
export type SsoConfig = z.infer<typeof ssoConfigSchema>;

export const ssoAuthorizeQuerySchema = z
  .object({ org: z.string().min(1).max(100).describe('Slug of the organization to sign in to') })
  .strict();

/** What WorkOS appends to the redirect URI: `code` and `state`, or `error` (+ description) and `state`. */
export const ssoCallbackQuerySchema = z.object({
  code: z.string().min(1).max(1000).optional(),
  state: z.string().max(4000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
