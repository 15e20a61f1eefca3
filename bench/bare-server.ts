import express from 'express';

// The ceiling: express 5 with express.json() and a route that only answers.
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json());
app.post('/push', (_req, res) => {
  res.json({ request_id: '0', data: { alert_key: 'k' } });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
