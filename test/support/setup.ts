// Loaded by mocha before every test file (.mocharc.yml): decorators metadata, and quiet logs
// unless TEST_LOG=1.
import 'reflect-metadata';
import { setupLogging } from '../../common/log';

setupLogging({ silent: process.env.TEST_LOG !== '1', debug: process.env.TEST_LOG === '1' });
