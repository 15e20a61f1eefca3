#!/usr/bin/env node
// The `alertgate` executable (package.json `bin`): the commands live in cli/.
import './cli/program.js';
