// The volume API's microversion range: we serve the 3.0 behaviour and say so.
import type { MicroversionSpec } from '../../common/api';

export const MIN_VERSION = '3.0';
/** Highest version whose behaviour we implement (no attachments API, no 3.x view fields). */
export const MAX_VERSION = '3.0';

export const VOLUME_VERSIONS: MicroversionSpec = { service: 'volume', min: MIN_VERSION, max: MAX_VERSION, defaultVersion: MIN_VERSION };
