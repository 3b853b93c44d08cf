#!/usr/bin/env node
// The attachd CLI (novaclient/cinderclient-like); see cli/main.ts.
import { main } from '../cli/main';

void main().then((code) => { process.exitCode = code; });
