#!/usr/bin/env node
import { run } from '../dist/esm/cli.js';

run();
