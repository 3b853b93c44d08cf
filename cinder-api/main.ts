// cinder-api's in-process entry points (the implementation lives in ./osapi).
export {
  startCinderApi, createVolumeApi, cinderApiPlugin, buildCinderApiApp, VolumeAPI,
  type CinderApiPluginOptions, type CinderApiDeps, type RunningCinderApi,
} from './osapi/main';
