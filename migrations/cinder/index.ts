// The cinder database's migrations (in order) and entities, for createDataSource.
import { InitialCinderSchema1764060000000 } from './1764060000000-InitialCinderSchema';

export const CINDER_MIGRATIONS = [InitialCinderSchema1764060000000];
export { CINDER_ENTITIES } from '../../cinder-common/entities';
