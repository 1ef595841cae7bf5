// Express 5 alone, one process, defaults kept (x-powered-by, etag): the seed bench's config "express".
const express = require('express');
const port = Number(process.env.PORT || 18080);
const app = express();
app.get('/hello', (req, res) => res.send('Hello World!'));
app.listen(port, '127.0.0.1');
