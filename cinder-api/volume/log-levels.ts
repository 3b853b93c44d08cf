// os-services set-log and get-log (3.32, cinder/api/contrib/services.py): the log levels of
// cinder-api (this process) and of every cinder-volume whose heartbeat is fresh, changed and
// read at run time. Logger names are ours (`cinder-volume.manager`), not Python's modules.
import type { RequestContext } from '../../common/context';
import { getLogLevels, logLevelName, setLogLevels } from '../../common/log';
import type { Service } from '../../cinder-common/entities';
import { InvalidInput } from '../../cinder-common/exception';
import type { VolumeAPI as VolumeRPCAPI } from '../../cinder-volume/rpcapi';
import type { GetLogBody, SetLogBody } from '../schemas/services';

const API_BINARY = 'cinder-api';
/** constants.LOG_BINARIES. */
const LOG_BINARIES = ['cinder-scheduler', 'cinder-volume', 'cinder-backup', API_BINARY];

export interface LogLevelDeps {
  rpc: VolumeRPCAPI;
  /** This cinder-api's [DEFAULT] host, its name in get-log. */
  host: string;
  /** The services (not deleted) whose heartbeat is fresh. */
  upServices(): Promise<Service[]>;
  /** common's host_or_cluster filter: `server` names the service's host (a bare host its backends). */
  matches(s: Service, server: string): boolean;
}

export class LogLevelAPI {
  constructor(private readonly d: LogLevelDeps) {}

  /** _log_params_binaries_services: the binaries named, and the services of them that are up. */
  private async targets(body: GetLogBody): Promise<{ binaries: string[]; services: Service[] }> {
    const binary = body.binary;
    if (binary === API_BINARY) return { binaries: [API_BINARY], services: [] };
    const all = !binary || binary === '*';
    const server = body.server;
    const services = (await this.d.upServices()).filter((s) => (all || s.binary === binary) && (!server || this.d.matches(s, server)));
    return { binaries: all ? LOG_BINARIES : [binary], services };
  }

  /** set-log: this process's loggers first (a bad level is a 400 here), then a cast to each service. */
  async set(ctx: RequestContext, body: SetLogBody): Promise<void> {
    const prefix = body.prefix ?? null;
    const level = body.level ?? null;
    const { binaries, services } = await this.targets(body);
    if (binaries.includes(API_BINARY)) {
      if (!logLevelName(level)) throw new InvalidInput({ reason: `${level ?? ''} is not a valid log level.` });
      setLogLevels(prefix, level as string);
    }
    // As Cinder, a service is told whatever level came (its cast fails there on a bad one).
    for (const s of services) await this.d.rpc.setLogLevels(ctx, s.host as string, prefix, level);
  }

  /** get-log: {log_levels: [{host, binary, levels: {logger: LEVEL}}]}, this process's first unless another server is named. */
  async get(ctx: RequestContext, body: GetLogBody): Promise<{ log_levels: Array<Record<string, unknown>> }> {
    const prefix = body.prefix ?? null;
    const { binaries, services } = await this.targets(body);
    const out: Array<Record<string, unknown>> = [];
    if ((!body.server || body.server === this.d.host) && binaries.includes(API_BINARY)) {
      out.push({ host: this.d.host, binary: API_BINARY, levels: getLogLevels(prefix) });
    }
    for (const s of services) {
      out.push({ host: s.host, binary: s.binary, levels: await this.d.rpc.getLogLevels(ctx, s.host as string, prefix) });
    }
    return { log_levels: out };
  }
}
