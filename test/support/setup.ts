// Loaded by mocha before every test file (.mocharc.yml): decorators metadata, quiet logs unless
// TEST_LOG=1, and the leak report: mocha runs without `exit: true`, so whatever a test leaves
// open (a transport, a DataSource, a server, a timer, a child) would keep the run from ending.
import 'reflect-metadata';
import { setupLogging } from '../../common/log';
import { reportLeaksIfStillAlive } from './leaks';

setupLogging({ silent: process.env.TEST_LOG !== '1', debug: process.env.TEST_LOG === '1' });

// A root hook plugin: afterAll runs once, after the last test file.
export const mochaHooks = { afterAll: (): void => reportLeaksIfStillAlive() };
