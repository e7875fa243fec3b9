'use strict';

// ms is resolved from a parent folder's node_modules or from devDependencies: the traps for dhard harden
const http = require('http');
const ms = require('ms');

http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`hello from node-moved-modules (a day is ${ms('1d')} ms)\n`);
}).listen(8080, '0.0.0.0');
