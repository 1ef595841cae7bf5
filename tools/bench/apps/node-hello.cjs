// Plain Node http, one process (the seed bench's config "node").
const http = require('node:http');
const port = Number(process.env.PORT || 18080);
http
  .createServer((req, res) => {
    if (req.url === '/hello') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 12 });
      res.end('Hello World!');
    } else {
      res.writeHead(404);
      res.end();
    }
  })
  .listen(port, '127.0.0.1');
