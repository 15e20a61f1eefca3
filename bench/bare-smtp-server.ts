import { SMTPServer } from 'smtp-server';

// The ceiling for SMTP ingest: smtp-server reading each mail to its end and answering 250, nothing else.
const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  size: 5 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => callback(null, 'OK'));
  },
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
