// Read-only projects of the minimal Keystone: the projects its users belong to, so the CLIs can
// name a project (`openstack quota show demo`, `server list --project demo`, `project list`).
// Keystone's default policies: an admin lists and shows every project; a user shows its own
// and lists its own through /v3/users/{id}/projects.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idOf } from '../../common/api/auth';
import { forbidden, notFound } from '../../common/api/faults';
import type { IdentityOptions } from './keystone';

interface Project { id: string; name: string }

const denied = (action: string): Error => forbidden(`You are not authorized to perform the requested action: identity:${action}.`);

export function projectRoutes(app: FastifyInstance, opts: IdentityOptions): void {
  const idFor = (name: string): string => (opts.mode === 'noauth2' ? name : idOf('project', name));
  const projects = (): Project[] => [...new Set(opts.users.map((u) => u.project))].sort().map((name) => ({ id: idFor(name), name }));
  const base = (req: FastifyRequest): string => `${req.protocol}://${req.headers.host ?? '127.0.0.1'}/identity/v3`;
  const view = (req: FastifyRequest, p: Project): Record<string, unknown> => ({
    id: p.id, name: p.name, domain_id: 'default', description: '', enabled: true, parent_id: 'default', is_domain: false,
    tags: [], options: {}, links: { self: `${base(req)}/projects/${p.id}` },
  });
  const list = (req: FastifyRequest, rows: Project[]): Record<string, unknown> => {
    const name = (req.query as Record<string, unknown>).name;
    const shown = typeof name === 'string' ? rows.filter((p) => p.name === name) : rows;
    return { projects: shown.map((p) => view(req, p)), links: { self: `${base(req)}${req.url.replace(/^.*\/identity\/v3/, '')}`, previous: null, next: null } };
  };

  app.get('/identity/v3/projects', async (req) => {
    if (!req.ctx.isAdmin) throw denied('list_projects');
    return list(req, projects());
  });

  app.get<{ Params: { id: string } }>('/identity/v3/projects/:id', async (req) => {
    const p = projects().find((x) => x.id === req.params.id);
    if (!req.ctx.isAdmin && p?.id !== req.ctx.projectId) throw denied('get_project');
    if (!p) throw notFound(`Could not find project: ${req.params.id}.`);
    return { project: view(req, p) };
  });

  app.get<{ Params: { id: string } }>('/identity/v3/users/:id/projects', async (req) => {
    if (!req.ctx.isAdmin && req.params.id !== req.ctx.userId) throw denied('list_user_projects');
    const user = opts.users.find((u) => (opts.mode === 'noauth2' ? u.name : idOf('user', u.name)) === req.params.id);
    if (!user) throw notFound(`Could not find user: ${req.params.id}.`);
    return list(req, projects().filter((p) => p.name === user.project));
  });
}
