// The cinder DataSource ([database] connection) with its entities and migrations.
import { projectDatabase } from '../common/db/project-database';
import { CINDER_MIGRATIONS } from '../migrations/cinder';
import { CINDER_ENTITIES } from './entities';

const cinder = projectDatabase({ name: 'cinder', entities: CINDER_ENTITIES, migrations: CINDER_MIGRATIONS });

export const createCinderDataSource = cinder.create;
export const openCinderDatabase = cinder.open;
export const openServiceDatabase = cinder.openService;
