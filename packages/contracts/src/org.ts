import { z } from 'zod';
import { emailSchema, passwordSchema } from './auth';
import { paginationQuerySchema } from './pagination';
import { apiKeyScopeSchema, roleSchema } from './roles';

/**
 * Bodies, queries and responses of the organization endpoints (seed 004 §4.2): the org itself,
 * members, invitations, teams, API keys and the audit log. Wire format is snake_case.
 */

const timestamp = z.iso.datetime();
const uuid = z.uuid();

// ---------------------------------------------------------------------------------------------------
// Organization

/** Lower-case letters, digits and single inner hyphens: it appears in URLs. */
export const orgSlugSchema = z
  .string()
  .min(2)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error: 'must be lower-case letters and digits, separated by single hyphens',
  });

export const orgSchema = z
  .object({
    id: uuid,
    name: z.string(),
    slug: z.string(),
    plan: z.string(),
    settings: z.record(z.string(), z.unknown()),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Organization' });
export type Org = z.infer<typeof orgSchema>;

/** Settings keys only their own endpoints may write. */
export const reservedOrgSettings = ['sso'] as const;

/**
 * `settings` is merged key by key into the stored object (a `null` value removes the key), so a client
 * editing one setting cannot clobber settings written by other features.
 */
export const updateOrgBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    slug: orgSlugSchema.optional(),
    settings: z
      .record(z.string().min(1).max(100), z.unknown())
      // Keys owned by dedicated, audited endpoints (PUT /org/sso checks uniqueness and the role).
      .refine((settings) => !reservedOrgSettings.some((key) => key in settings), {
        error: `these settings have their own endpoints: ${reservedOrgSettings.join(', ')}`,
      })
      .optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'provide at least one of name, slug, settings' });
export type UpdateOrgBody = z.infer<typeof updateOrgBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Members: a member is addressed by its user id (`/org/members/:id`, id = user_id).

export const memberSchema = z
  .object({
    user_id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    role: roleSchema,
    joined_at: timestamp,
  })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof memberSchema>;

export const memberListQuerySchema = paginationQuerySchema.extend({ role: roleSchema.optional() });
export type MemberListQuery = z.infer<typeof memberListQuerySchema>;

export const memberParamsSchema = z.object({ id: uuid.describe("The member's user id") });

export const updateMemberRoleBodySchema = z.object({ role: roleSchema }).strict();
export type UpdateMemberRoleBody = z.infer<typeof updateMemberRoleBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Invitations

export const inviteMemberBodySchema = z
  .object({
    email: emailSchema,
    role: roleSchema.default('viewer'),
  })
  .strict();
export type InviteMemberBody = z.infer<typeof inviteMemberBodySchema>;

export const invitationSchema = z
  .object({
    id: uuid,
    email: z.string(),
    role: roleSchema,
    invited_by: uuid.nullable(),
    expires_at: timestamp,
    created_at: timestamp,
  })
  .meta({ id: 'Invitation' });
export type Invitation = z.infer<typeof invitationSchema>;

/** The token is never returned: it exists only in the emailed link. */
export const inviteMemberResponseSchema = invitationSchema.extend({
  email_sent: z.boolean().describe('false when the mail transport failed; invite again to resend'),
});
export type InviteMemberResponse = z.infer<typeof inviteMemberResponseSchema>;

export const invitationParamsSchema = z.object({ id: uuid });

export const acceptInvitationBodySchema = z
  .object({
    token: z.string().min(16).max(256),
    /** For a new account only. */
    name: z.string().trim().min(1).max(255).optional(),
    /** Required when no account exists for the invited email (and the caller is not signed in). */
    password: passwordSchema.optional(),
  })
  .strict();
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBodySchema>;

/** `POST /invitations/preview`: the token travels in the body so it stays out of URLs and logs. */
export const invitationPreviewBodySchema = z.object({ token: z.string().min(16).max(256) }).strict();
export type InvitationPreviewBody = z.infer<typeof invitationPreviewBodySchema>;

export const invitationPreviewSchema = z
  .object({
    email: z.string().describe('The invited email'),
    role: roleSchema,
    organization: z.object({ name: z.string(), slug: z.string() }),
    invited_by: z
      .string()
      .nullable()
      .describe('Name (or email) of the inviter; null if that account is gone'),
    expires_at: timestamp,
    account_exists: z
      .boolean()
      .describe('An account exists for the email: sign in and accept, rather than create one'),
  })
  .meta({ id: 'InvitationPreview' });
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

// ---------------------------------------------------------------------------------------------------
// Teams

export const teamSchema = z
  .object({
    id: uuid,
    name: z.string(),
    description: z.string().nullable(),
    member_count: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Team' });
export type Team = z.infer<typeof teamSchema>;

export const teamMemberSchema = z
  .object({
    user_id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    role: roleSchema,
    added_at: timestamp,
  })
  .meta({ id: 'TeamMember' });
export type TeamMember = z.infer<typeof teamMemberSchema>;

export const teamDetailSchema = teamSchema.extend({ members: z.array(teamMemberSchema) }).meta({
  id: 'TeamDetail',
});
export type TeamDetail = z.infer<typeof teamDetailSchema>;

export const createTeamBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(2000).nullable().optional(),
  })
  .strict();
export type CreateTeamBody = z.infer<typeof createTeamBodySchema>;

export const updateTeamBodySchema = createTeamBodySchema
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'provide at least one of name, description' });
export type UpdateTeamBody = z.infer<typeof updateTeamBodySchema>;

export const teamParamsSchema = z.object({ id: uuid });
export const teamMemberParamsSchema = z.object({ id: uuid, userId: uuid });
export const addTeamMemberBodySchema = z.object({ user_id: uuid }).strict();
export type AddTeamMemberBody = z.infer<typeof addTeamMemberBodySchema>;

// ---------------------------------------------------------------------------------------------------
// API keys

/** What every listing shows: never the key itself nor its hash. */
export const apiKeySchema = z
  .object({
    id: uuid,
    name: z.string().nullable(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    scopes: z.array(apiKeyScopeSchema),
    last_used_at: timestamp.nullable(),
    expires_at: timestamp.nullable(),
    created_by: uuid.nullable(),
    is_active: z.boolean(),
    revoked_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createApiKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    scopes: z.array(apiKeyScopeSchema).min(1).max(20),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export const createdApiKeySchema = apiKeySchema
  .extend({ secret: z.string().describe('The full key. Shown once: store it now, it cannot be read again') })
  .meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyParamsSchema = z.object({ id: uuid });

// ---------------------------------------------------------------------------------------------------
// Audit log

export const auditLogSchema = z
  .object({
    id: uuid,
    action: z.string(),
    resource_type: z.string().nullable(),
    resource_id: uuid.nullable(),
    actor: z.object({
      type: z.enum(['user', 'api_key', 'system']),
      user_id: uuid.nullable(),
      api_key_id: uuid.nullable(),
    }),
    details: z.record(z.string(), z.unknown()),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'AuditLog' });
export type AuditLog = z.infer<typeof auditLogSchema>;

export const auditLogQuerySchema = paginationQuerySchema.extend({
  action: z.string().min(1).max(100).optional(),
  resource_type: z.string().min(1).max(50).optional(),
  resource_id: uuid.optional(),
  user_id: uuid.optional().describe('Only actions by this user'),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound on created_at'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound on created_at'),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;

/** Actions written by the organization services; other domains add their own (`agent.created` ...). */
export const orgAuditActions = [
  'org.updated',
  'member.invited',
  'member.role_changed',
  'member.removed',
  'invitation.accepted',
  'invitation.revoked',
  'team.created',
  'team.updated',
  'team.deleted',
  'team.member_added',
  'team.member_removed',
  'api_key.created',
  'api_key.revoked',
] as const;
export type OrgAuditAction = (typeof orgAuditActions)[number];
