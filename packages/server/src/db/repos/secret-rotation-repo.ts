// Reads and rewrites of the sealed signing secrets, page by page, for `rotate-secret-key`.
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export interface SealedSecrets {
  id: string;
  secretEnc: string;
  previousSecretEnc: string | null;
}

export function createSecretRotationRepo(db: Kysely<Database>) {
  return {
    /** Up to `limit` webhooks after `afterId`, in id order. */
    async page(afterId: string, limit: number): Promise<SealedSecrets[]> {
      const rows = await db
        .selectFrom('webhooks')
        .select(['id', 'secret_enc', 'previous_secret_enc'])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        secretEnc: row.secret_enc,
        previousSecretEnc: row.previous_secret_enc,
      }));
    },

    /** Replaces the sealed values only if they are still `before` (a concurrent rotation wins). */
    async replace(before: SealedSecrets, after: Omit<SealedSecrets, 'id'>): Promise<boolean> {
      let query = db
        .updateTable('webhooks')
        .set({ secret_enc: after.secretEnc, previous_secret_enc: after.previousSecretEnc })
        .where('id', '=', before.id)
        .where('secret_enc', '=', before.secretEnc);
      query =
        before.previousSecretEnc === null
          ? query.where('previous_secret_enc', 'is', null)
          : query.where('previous_secret_enc', '=', before.previousSecretEnc);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
