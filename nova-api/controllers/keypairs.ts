// /os-keypairs: thin — the body and query checked at the request's microversion, the keypair
// API's answer in the view of that microversion. 2.2 adds the type (and answers a create 201, a
// delete 204), 2.10 lets an admin name another user (user_id), 2.35 pages the list, 2.75 refuses
// unknown query keys, 2.92 takes imports only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateBody } from '../../common/api';
import type { KeypairAPI, KeypairType } from '../compute/keypairs';
import { checkQuery, lastQueryValue, nextLink, nonNegativeInteger, type QueryParam } from '../query';
import { projectInPath } from '../request';
import { KeypairCreate, KeypairCreateV210, KeypairCreateV22, KeypairCreateV292 } from '../schemas/keypairs';
import { keypairCreated, keypairListEntry, keypairShown } from '../views/keypairs';

const TYPED = '2.2';
const USER_ID = '2.10';
const PAGING = '2.35';
const STRICT_QUERY = '2.75';
const IMPORT_ONLY = '2.92';

const USER_QUERY: Record<string, QueryParam> = { user_id: { schema: { type: 'string' } } };
const LIST_QUERY: Record<string, QueryParam> = { ...USER_QUERY, limit: { schema: nonNegativeInteger }, marker: { schema: { type: 'string' } } };

type NameParams = { tenant_id?: string; keypair_name: string };

/** The user_id query parameter (2.10 on), the query checked as Nova's schema of that version. */
function userOf(req: FastifyRequest, params = USER_QUERY): string | null {
  const v = req.novaVersion;
  const q = req.query as Record<string, unknown>;
  if (!v.atLeast(USER_ID)) return null;
  checkQuery(q, params, v.atLeast(STRICT_QUERY));
  const u = q.user_id;
  return (Array.isArray(u) ? String(u[0]) : lastQueryValue(u)) ?? null;
}

export function keypairRoutes(app: FastifyInstance, base: string, keypairs: KeypairAPI, maxLimit: number): void {
  app.get(`${base}/os-keypairs`, async (req) => {
    projectInPath(req);
    const v = req.novaVersion;
    const user = userOf(req, v.atLeast(PAGING) ? LIST_QUERY : USER_QUERY);
    const q = req.query as Record<string, unknown>;
    const asked = v.atLeast(PAGING) ? lastQueryValue(q.limit) : undefined;
    const limit = v.atLeast(PAGING) ? Math.min(maxLimit, asked === undefined ? maxLimit : Number(asked)) : undefined;
    const marker = v.atLeast(PAGING) ? lastQueryValue(q.marker) : undefined;
    const rows = await keypairs.list(req.ctx, user, { limit, marker });
    const page = { keypairs: rows.map((k) => keypairListEntry(k, v.atLeast(TYPED))) };
    return limit && rows.length === limit ? { ...page, keypairs_links: nextLink(req, rows[rows.length - 1].name) } : page;
  });

  app.post(`${base}/os-keypairs`, async (req, reply: FastifyReply) => {
    projectInPath(req);
    const v = req.novaVersion;
    const cls = v.atLeast(IMPORT_ONLY) ? KeypairCreateV292 : v.atLeast(USER_ID) ? KeypairCreateV210 : v.atLeast(TYPED) ? KeypairCreateV22 : KeypairCreate;
    const b = validateBody(cls, req.body, 'keypair') as KeypairCreateV210;
    const made = await keypairs.create(req.ctx, {
      name: b.name, type: (b.type ?? 'ssh') as KeypairType, publicKey: b.public_key, userId: v.atLeast(USER_ID) ? b.user_id : null,
    });
    return reply.code(v.atLeast(TYPED) ? 201 : 200).send(keypairCreated(made.keypair, made.privateKey, v.atLeast(TYPED)));
  });

  app.get<{ Params: NameParams }>(`${base}/os-keypairs/:keypair_name`, async (req) => {
    projectInPath(req);
    const user = userOf(req);
    return keypairShown(await keypairs.show(req.ctx, user, req.params.keypair_name), req.novaVersion.atLeast(TYPED));
  });

  app.delete<{ Params: NameParams }>(`${base}/os-keypairs/:keypair_name`, async (req, reply: FastifyReply) => {
    projectInPath(req);
    const user = userOf(req);
    await keypairs.delete(req.ctx, user, req.params.keypair_name);
    return reply.code(req.novaVersion.atLeast(TYPED) ? 204 : 202).send();
  });
}
