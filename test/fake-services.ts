/** Real local servers standing in for external services: fakes at the network boundary only. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';

export interface FakeService {
  url: string;
  /** The status the next requests get; `hang` accepts and never answers. */
  answer: number | 'hang';
  requests: number;
  close(): Promise<void>;
}

export async function startFakeService(answer: FakeService['answer'] = 200): Promise<FakeService> {
  const server: Server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    fake.requests++;
    if (fake.answer !== 'hang') response.writeHead(fake.answer).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeService = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    answer,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
