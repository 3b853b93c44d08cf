// Nova's servicegroup is_up for a nova services row: down when forced down, else up while its
// last heartbeat (or its creation, before the first) is younger than service_down_time. A
// disabled service stays up: disabling only keeps the scheduler away.
import { isServiceUp } from '../common/service';
import type { Service } from './entities';

export function serviceIsUp(s: Pick<Service, 'forcedDown' | 'lastSeenUp' | 'createdAt'>, serviceDownTime: number): boolean {
  return !s.forcedDown && isServiceUp(s.lastSeenUp ?? s.createdAt, serviceDownTime);
}
