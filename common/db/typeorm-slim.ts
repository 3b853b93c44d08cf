// TypeORM's DriverFactory (and a few modules beside it) require every driver TypeORM supports,
// though a process uses one or two. attachd speaks MySQL/MariaDB and SQLite (better-sqlite3)
// only (parseDatabaseUrl refuses the rest), so the other drivers' modules are dead weight: 1.8 MB
// of heap in every process (docs/performance.md). A bin imports this module before anything
// imports typeorm; from then on TypeORM's own requires of those drivers get a stand-in whose
// every export is a class that refuses to be built. `instanceof` against it is simply false.
import Module from 'node:module';

const UNUSED = /[\\/]node_modules[\\/]typeorm[\\/](?:driver[\\/](?:aurora-mysql|aurora-postgres|capacitor|cockroachdb|cordova|expo|mongodb|nativescript|oracle|postgres|react-native|sap|spanner|sqljs|sqlserver)[\\/]|entity-manager[\\/](?:Mongo|Sqljs)EntityManager\.js$|repository[\\/]MongoRepository\.js$)/;
const TYPEORM = /[\\/]node_modules[\\/]typeorm[\\/]/;

class UnusedDriver {
  constructor() {
    throw new Error('attachd does not load this TypeORM driver: only mysql:// and sqlite:// databases are supported');
  }
}
const STAND_IN: object = new Proxy({}, { get: (_t, k) => (k === '__esModule' ? true : UnusedDriver) });

type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;
const M = Module as unknown as { _load: Load; _resolveFilename(request: string, parent: unknown, isMain: boolean): string };
let installed = false;

/** Installs the hook (once); true if typeorm was not loaded before it, so the hook takes effect. */
export function slimTypeorm(): boolean {
  if (!installed) {
    installed = true;
    const load = M._load;
    M._load = function (request, parent, isMain) {
      if (parent?.filename && TYPEORM.test(parent.filename) && request.startsWith('.')) {
        if (UNUSED.test(M._resolveFilename(request, parent, isMain))) return STAND_IN;
      }
      return load.call(this, request, parent, isMain);
    };
  }
  return !Object.keys(require.cache).some((f) => TYPEORM.test(f));
}

slimTypeorm();
