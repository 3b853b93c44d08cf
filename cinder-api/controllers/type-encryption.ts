// /types/{type_id}/encryption (cinder/api/contrib/volume_type_encryption.py): thin — check the
// body, call the encryption API, render. Index answers the row as a dict ({} without one), show
// one key of it; create and update echo the body with key_size made an integer; delete is 202.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateBody } from '../../common/api';
import type { EncryptionSpecs } from '../../cinder-common/type-encryption-db';
import { bareResponse, projectInPath, type Params } from '../request';
import { EncryptionCreateBody, EncryptionUpdateBody } from '../schemas/type-encryption';
import type { TypeEncryptionAPI } from '../volume/type-encryption';

type KeyParams = Params & { key?: string };
type Dict = Record<string, unknown>;

/** The body's encryption with key_size as int() makes it, and the columns it sets. */
function specsOf(body: { encryption: Dict }): EncryptionSpecs {
  const e = body.encryption;
  if (e.key_size !== undefined && e.key_size !== null) e.key_size = Number(e.key_size);
  const pick = <K extends keyof EncryptionSpecs>(k: K): EncryptionSpecs[K] | undefined => e[k] as EncryptionSpecs[K] | undefined;
  return { provider: pick('provider'), control_location: pick('control_location'), cipher: pick('cipher'), key_size: pick('key_size') };
}

export function typeEncryptionRoutes(app: FastifyInstance, base: string, api: TypeEncryptionAPI): void {
  const E = `${base}/types/:id/encryption`;
  const typeId = (req: FastifyRequest): string => {
    projectInPath(req);
    return (req.params as Params).id ?? '';
  };
  const key = (req: FastifyRequest): string => (req.params as KeyParams).key ?? '';

  app.get(E, async (req) => api.index(req.ctx, typeId(req)));

  app.get(`${E}/:key`, async (req) => api.show(req.ctx, typeId(req), key(req)));

  app.post(E, async (req) => {
    const id = typeId(req);
    validateBody(EncryptionCreateBody, req.body, null);
    const body = req.body as { encryption: Dict };
    const made = await api.create(req.ctx, id, specsOf(body));
    // Cinder's create adds both to the body's dict, which is the answer.
    body.encryption.volume_type_id ??= made.volumeTypeId;
    body.encryption.encryption_id ??= made.encryptionId;
    return body;
  });

  app.put(`${E}/:key`, async (req) => {
    const id = typeId(req);
    validateBody(EncryptionUpdateBody, req.body, null);
    const body = req.body as { encryption: Dict };
    await api.update(req.ctx, id, key(req), specsOf(body));
    return body;
  });

  app.delete(`${E}/:key`, async (req, reply) => {
    await api.delete(req.ctx, typeId(req));
    return bareResponse(reply).code(202).send();
  });
}
