'use strict';

const http = require('http');
const ms = require('ms');

const port = parseInt(process.env.PORT || '8080', 10);
const started = Date.now();

const server = http.createServer((req, res) => {
  if (req.url === '/uptime') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`up ${ms(Date.now() - started)}\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`hello from node-alpine (a day is ${ms('1d')} ms)\n`);
});

server.listen(port, '0.0.0.0', () => {
  console.log(`listening on 0.0.0.0:${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
