// A read-only Glance v2 with one public image, so the real clients can resolve the image of
// `openstack server create --image …` / `nova boot --image …` (by id or name). attachd has no
// image service; nova-api accepts any imageRef and the fake virt driver boots nothing.
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const DEFAULT_IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b';

const IMAGES = [{
  id: DEFAULT_IMAGE_ID, name: 'cirros-0.6.2-x86_64-disk', status: 'active', visibility: 'public', protected: false, os_hidden: false,
  disk_format: 'qcow2', container_format: 'bare', min_disk: 0, min_ram: 0, size: 21430272, virtual_size: 117440512,
  checksum: 'c8fc807773e5354afe61636071771906', os_hash_algo: 'sha512', os_hash_value: null, owner: null, tags: [],
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
}];

const view = (img: (typeof IMAGES)[number]): Record<string, unknown> =>
  ({ ...img, self: `/v2/images/${img.id}`, file: `/v2/images/${img.id}/file`, schema: '/v2/schemas/image' });

export function imageRoutes(app: FastifyInstance, baseUrl: (req: FastifyRequest) => string): void {
  const pub = { config: { public: true } };
  app.get('/image', pub, async (req, reply) => reply.code(300).send({
    versions: [{ id: 'v2.15', status: 'CURRENT', links: [{ rel: 'self', href: `${baseUrl(req)}/image/v2/` }] }],
  }));
  app.get('/image/v2/images', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const images = IMAGES.filter((i) => (!q.name || i.name === q.name) && (!q.id || i.id === q.id) && (!q.status || i.status === q.status) &&
      (!q.visibility || q.visibility === 'all' || i.visibility === q.visibility));
    return { images: images.map(view), schema: '/v2/schemas/images', first: '/v2/images' };
  });
  app.get('/image/v2/images/:id', async (req, reply) => {
    const img = IMAGES.find((i) => i.id === (req.params as { id: string }).id);
    if (!img) return reply.code(404).type('text/plain').send(`404 Not Found\n\nNo image found with ID ${(req.params as { id: string }).id}\n\n   `);
    return view(img);
  });
}
