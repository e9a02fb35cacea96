// Re-encrypts every webhook's signing secrets from the current key to a new one. Resumable: a
// secret the new key already opens is skipped, so a run stopped halfway is simply run again.
import type { createSecretRotationRepo, SealedSecrets } from '../db/repos/secret-rotation-repo.ts';
import type { SecretBox } from '../domain/secrets.ts';

export interface RotationReport {
  rotated: number;
  alreadyRotated: number;
  /** Rows changed by someone else while this run read them: run the command again. */
  changedDuringRun: number;
  /** Webhooks neither key opens (their ids): they need a new secret (rotate it over the API). */
  unreadable: string[];
}

const opens = (box: SecretBox, sealed: string) => {
  try {
    box.open(sealed);
    return true;
  } catch {
    return false;
  }
};

function reseal(
  row: SealedSecrets,
  from: SecretBox,
  to: SecretBox,
): Omit<SealedSecrets, 'id'> | 'done' | 'unreadable' {
  if (opens(to, row.secretEnc)) return 'done';
  if (!opens(from, row.secretEnc)) return 'unreadable';
  const previous = row.previousSecretEnc;
  return {
    secretEnc: to.seal(from.open(row.secretEnc)),
    // A previous secret still in its grace period moves along; one no key opens is dropped.
    previousSecretEnc: previous && opens(from, previous) ? to.seal(from.open(previous)) : null,
  };
}

export async function rotateSecretKey(
  repo: ReturnType<typeof createSecretRotationRepo>,
  from: SecretBox,
  to: SecretBox,
  pageSize = 200,
): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, alreadyRotated: 0, changedDuringRun: 0, unreadable: [] };
  let after = '';
  for (;;) {
    const rows = await repo.page(after, pageSize);
    if (rows.length === 0) return report;
    for (const row of rows) {
      const next = reseal(row, from, to);
      if (next === 'done') report.alreadyRotated++;
      else if (next === 'unreadable') report.unreadable.push(row.id);
      else if (await repo.replace(row, next)) report.rotated++;
      else report.changedDuringRun++;
    }
    after = rows.at(-1)!.id;
  }
}
