import {
  type AgentVersion,
  type AgentVersionSummary,
  AppError,
  type Page,
  type PaginationQuery,
  type VersionDiff,
  type VersionDiffQuery,
} from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { agentVersions } from '@agentflow/db/schema';
import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { inOrg, type ServiceContext } from '../context';
import { diffDefinitions } from './diff';
import { getAgentRow, toVersionSummary, type VersionSummaryRow, versionSummaryColumns } from './present';

type VersionRow = typeof agentVersions.$inferSelect & { nodeCount: number; edgeCount: number };

export function toVersion(row: VersionRow): AgentVersion {
  return { ...toVersionSummary(row), definition: row.definition };
}

/** Fetch-or-throw a version of an agent already checked to be in the org. */
export async function getVersionRow(
  tx: Db,
  ctx: ServiceContext,
  agentId: string,
  n: number | string,
): Promise<VersionRow> {
  const version = typeof n === 'number' ? n : /^\d{1,9}$/.test(n) ? Number(n) : Number.NaN;
  const [row] = await tx
    .select({ ...versionSummaryColumns, definition: agentVersions.definition })
    .from(agentVersions)
    .where(
      and(
        eq(agentVersions.orgId, ctx.orgId),
        eq(agentVersions.agentId, agentId),
        eq(agentVersions.version, Number.isInteger(version) ? version : -1),
      ),
    );
  if (!row) {
    throw new AppError('AGENT_VERSION_NOT_FOUND', `Agent ${agentId} has no version ${n}.`, {
      agent_id: agentId,
      version: n,
    });
  }
  return row;
}

// Versions page by their number, not created_at: publishes serialised on the agent's row lock can
// commit in a different order than their transactions started (now() is the start time).
const versionCursorSchema = z.object({ v: z.number().int().min(2) });

function decodeVersionCursor(cursor: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = versionCursorSchema.safeParse(parsed);
  if (!result.success) {
    throw new AppError(
      'VALIDATION_ERROR',
      'The cursor is not valid: pass next_cursor from a previous page.',
      {
        fields: [{ path: 'query.cursor', message: 'invalid cursor', code: 'invalid_cursor' }],
      },
    );
  }
  return result.data.v;
}

/** Newest first. */
export async function listAgentVersions(
  ctx: ServiceContext,
  agentId: string,
  query: PaginationQuery,
): Promise<Page<AgentVersionSummary>> {
  const before = query.cursor ? decodeVersionCursor(query.cursor) : undefined;
  return inOrg(ctx, async (tx) => {
    await getAgentRow(tx, ctx, agentId);
    const rows: VersionSummaryRow[] = await tx
      .select(versionSummaryColumns)
      .from(agentVersions)
      .where(
        and(
          eq(agentVersions.orgId, ctx.orgId),
          eq(agentVersions.agentId, agentId),
          before === undefined ? undefined : lt(agentVersions.version, before),
        ),
      )
      .orderBy(desc(agentVersions.version))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: page.map(toVersionSummary),
      next_cursor:
        rows.length > query.limit && last
          ? Buffer.from(JSON.stringify({ v: last.version })).toString('base64url')
          : null,
    };
  });
}

export async function getAgentVersion(
  ctx: ServiceContext,
  agentId: string,
  n: number | string,
): Promise<AgentVersion> {
  return inOrg(ctx, async (tx) => {
    await getAgentRow(tx, ctx, agentId);
    return toVersion(await getVersionRow(tx, ctx, agentId, n));
  });
}

export async function diffAgentVersions(
  ctx: ServiceContext,
  agentId: string,
  query: VersionDiffQuery,
): Promise<VersionDiff> {
  return inOrg(ctx, async (tx) => {
    const agent = await getAgentRow(tx, ctx, agentId);
    // Without a query: what the latest publish changed.
    const toN = query.to ?? agent.latestVersion;
    const fromN = query.from ?? toN - 1;
    const from = await getVersionRow(tx, ctx, agentId, fromN);
    const to = await getVersionRow(tx, ctx, agentId, toN);
    return { from: fromN, to: toN, ...diffDefinitions(from.definition, to.definition) };
  });
}
