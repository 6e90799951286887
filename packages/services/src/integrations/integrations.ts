import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateIntegrationBody,
  type Integration,
  type IntegrationProvider,
  integrationCredentialSchemas,
  integrationProviders,
  type Page,
  type PaginationQuery,
} from '@agentflow/contracts';
import { integrations } from '@agentflow/db/schema';
import type { CredentialResolver } from '@agentflow/engine';
import { and, desc, eq } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import {
  envelopeKeyVersion,
  type Keyring,
  maskSecret,
  openSecretObject,
  sealSecret,
  secretPurposes,
} from '../secrets';
import { headersFor, type ResolvedCredential, secretOf } from './catalog';

// Never `credentialsEncrypted`: the list and create responses are built from these columns only.
const columns = {
  id: integrations.id,
  provider: integrations.provider,
  name: integrations.name,
  status: integrations.status,
  credentialsHint: integrations.credentialsHint,
  connectedBy: integrations.connectedBy,
  createdAt: integrations.createdAt,
  updatedAt: integrations.updatedAt,
};

function toIntegration(row: {
  id: string;
  provider: string;
  name: string | null;
  status: string;
  credentialsHint: string | null;
  connectedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}): Integration {
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    status: row.status,
    credentials_hint: row.credentialsHint,
    connected_by: row.connectedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const notFound = (id: string) =>
  new AppError('INTEGRATION_NOT_FOUND', `Integration ${id} not found.`, { integration_id: id });

export async function listIntegrations(
  ctx: ServiceContext,
  query: PaginationQuery,
): Promise<Page<Integration>> {
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({ ...columns, cursorAt: cursorTimestamp(integrations.createdAt) })
      .from(integrations)
      .where(
        and(
          eq(integrations.orgId, ctx.orgId),
          afterCursor(integrations.createdAt, integrations.id, query.cursor),
        ),
      )
      .orderBy(desc(integrations.createdAt), desc(integrations.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toIntegration), next_cursor: page.nextCursor };
}

/** Seals the credential set (a JSON object) with the org key, bound to the new row's id. */
export async function createIntegration(
  ctx: ServiceContext,
  keyring: Keyring,
  body: CreateIntegrationBody,
): Promise<Integration> {
  const id = randomUUID();
  return inOrg(ctx, async (tx) => {
    const envelope = await sealSecret({ db: tx, orgId: ctx.orgId, keyring }, body.credentials, {
      purpose: secretPurposes.integrationCredentials(id),
    });
    const [row] = await tx
      .insert(integrations)
      .values({
        id,
        orgId: ctx.orgId,
        provider: body.provider,
        name: body.name,
        credentialsEncrypted: envelope,
        dataKeyVersion: envelopeKeyVersion(envelope),
        credentialsHint: maskSecret(secretOf(body.credentials)),
        connectedBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
      })
      .returning(columns);
    await recordAudit(tx, ctx, {
      action: 'integration.connected',
      resourceType: 'integration',
      resourceId: id,
      // Field names only (which fields were given), never values.
      details: { provider: body.provider, name: body.name, fields: Object.keys(body.credentials) },
    });
    return toIntegration(row!);
  });
}

export async function deleteIntegration(ctx: ServiceContext, id: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const [row] = await tx
      .delete(integrations)
      .where(and(eq(integrations.orgId, ctx.orgId), eq(integrations.id, id)))
      .returning({ provider: integrations.provider, name: integrations.name });
    if (!row) throw notFound(id);
    await recordAudit(tx, ctx, {
      action: 'integration.disconnected',
      resourceType: 'integration',
      resourceId: id,
      details: { provider: row.provider, name: row.name },
    });
  });
}

/**
 * The decrypted credential of one of the org's integrations (INTEGRATION_NOT_FOUND for another org's).
 * Re-validated after opening: a row written by older code, or with an unknown provider, fails loudly
 * here instead of sending a malformed header.
 */
export async function resolveCredential(
  ctx: ServiceContext,
  keyring: Keyring,
  id: string,
): Promise<ResolvedCredential> {
  const row = await inOrg(ctx, async (tx) => {
    const [found] = await tx
      .select({
        provider: integrations.provider,
        name: integrations.name,
        envelope: integrations.credentialsEncrypted,
      })
      .from(integrations)
      .where(and(eq(integrations.orgId, ctx.orgId), eq(integrations.id, id)));
    return found;
  });
  if (!row) throw notFound(id);
  if (!(integrationProviders as string[]).includes(row.provider)) {
    throw new AppError('VALIDATION_ERROR', `Integration ${id} (${row.provider}) has no usable credentials.`, {
      integration_id: id,
    });
  }
  const provider = row.provider as IntegrationProvider;
  const opened = await openSecretObject({ db: ctx.db, orgId: ctx.orgId, keyring }, row.envelope, {
    purpose: secretPurposes.integrationCredentials(id),
  });
  const parsed = integrationCredentialSchemas[provider].safeParse(opened);
  if (!parsed.success) {
    // Field paths only: the input would be the secret.
    throw new AppError(
      'INTERNAL_ERROR',
      `Stored credentials of integration ${id} are not valid for ${provider}.`,
    );
  }
  return { id, provider, name: row.name, credentials: parsed.data } as ResolvedCredential;
}

/** The engine's CredentialResolver for one org: the HTTP node's `auth.credential_id` -> headers. */
export function createCredentialResolver(ctx: ServiceContext, keyring: Keyring): CredentialResolver {
  return {
    async httpHeaders(credentialId) {
      return headersFor(await resolveCredential(ctx, keyring, credentialId));
    },
  };
}
