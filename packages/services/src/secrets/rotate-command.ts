import { parseArgs } from 'node:util';
import type { Db } from '@agentflow/db';
import type { Keyring } from './keyring';
import { rewrapAll } from './rewrap';
import { type OrgRotationResult, type RotationFailure, rotateAllOrgKeys, rotateOrgKey } from './rotation';

export const ROTATE_USAGE = `usage: keys:rotate [--org <org id>] [--rewrap-master]
  (no option)       rotate the data key of every org that has one, re-sealing its secrets
  --org <id>        rotate that org's data key only
  --rewrap-master   re-wrap every data key (and global model key) under the first MASTER_KEYS entry;
                    with --org, the org is rotated afterwards; alone, no data key is rotated`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The body of `pnpm --filter @agentflow/services keys:rotate`, separate from process setup so tests
 * can run it against a test database. Prints counts and identifiers only. Returns the exit code:
 * 0 done, 1 some rows could not be processed (listed), 2 bad arguments.
 */
export async function runRotateKeys(
  argv: string[],
  deps: { db: Db; keyring: Keyring; log: (line: string) => void },
): Promise<number> {
  const { db, keyring, log } = deps;
  let values: { org?: string | undefined; 'rewrap-master'?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      // `pnpm run script -- --org x` may pass the separator through.
      args: argv[0] === '--' ? argv.slice(1) : argv,
      options: {
        org: { type: 'string' },
        'rewrap-master': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n${ROTATE_USAGE}`);
    return 2;
  }
  if (values.help) {
    log(ROTATE_USAGE);
    return 0;
  }
  if (values.org !== undefined && !UUID.test(values.org)) {
    log(`--org must be an organization id (uuid)\n${ROTATE_USAGE}`);
    return 2;
  }

  const failed: RotationFailure[] = [];
  log(
    `master keys: current "${keyring.current.id}", configured: ${keyring.ids.map((id) => `"${id}"`).join(', ')}`,
  );
  if (values['rewrap-master']) {
    const rewrap = await rewrapAll(db, keyring);
    log(
      `rewrap: ${rewrap.rewrapped} data key(s) re-wrapped under "${rewrap.masterKeyId}", ` +
        `${rewrap.alreadyCurrent} already were; ${rewrap.globalResealed} global model key(s) re-sealed; ` +
        `${rewrap.failed.length} failed`,
    );
    failed.push(...rewrap.failed);
  }
  if (values.org !== undefined || !values['rewrap-master']) {
    const results =
      values.org !== undefined
        ? [await rotateOrgKey({ db, orgId: values.org.toLowerCase(), keyring })]
        : await rotateAllOrgKeys(db, keyring);
    for (const result of results) {
      log(describe(result));
      failed.push(...result.failed);
    }
    const rotated = results.filter((r) => r.newVersion !== null);
    const models = sum(rotated.map((r) => r.resealed.llmModels));
    const creds = sum(rotated.map((r) => r.resealed.integrations));
    const hooks = sum(rotated.map((r) => r.resealed.webhookEndpoints));
    log(
      `rotated ${rotated.length} org(s); re-sealed ${models} model key(s), ${creds} integration credential(s) ` +
        `and ${hooks} webhook secret(s)`,
    );
  }
  for (const failure of failed) log(`  failed: ${failure.table} ${failure.id}: ${failure.reason}`);
  return failed.length > 0 ? 1 : 0;
}

function describe(result: OrgRotationResult): string {
  if (result.newVersion === null) return `org ${result.orgId}: no data key yet (nothing sealed), skipped`;
  return (
    `org ${result.orgId}: key v${result.previousVersion} -> v${result.newVersion}, re-sealed ` +
    `${result.resealed.llmModels} llm_models + ${result.resealed.integrations} integrations + ` +
    `${result.resealed.webhookEndpoints} webhook_endpoints, ` +
    `${result.failed.length} failed`
  );
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
