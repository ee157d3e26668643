// Prints the configuration table that README.md carries (a unit test keeps the two equal).
import { NODE_CONFIG, configTable } from '@peerweave/core';

process.stdout.write(`${configTable(NODE_CONFIG)}\n`);
