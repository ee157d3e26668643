// Prints the configuration table that README.md carries (a unit test keeps the two equal).
import { configTable } from '@peerweave/core';
import { NODE_CONFIG } from '@peerweave/config';

process.stdout.write(`${configTable(NODE_CONFIG)}\n`);
