// The volume API's microversion range: we serve the 3.0 behaviour and say so.
import type { MicroversionSpec } from '../../common/api';

export const MIN_VERSION = '3.0';
/**
 * Highest version whose volume behaviour we implement: 3.12 volumes/summary, 3.13 group_id and 3.21 provider_id in
 * the volume view, 3.27 attachments API, 3.42 extend of an in-use volume, 3.44 os-complete.
 */
export const MAX_VERSION = '3.44';

export const VOLUME_VERSIONS: MicroversionSpec = { service: 'volume', min: MIN_VERSION, max: MAX_VERSION, defaultVersion: MIN_VERSION };
