import { TestScheduler } from 'rxjs/testing';
import { filter } from 'rxjs';
import { Opcode, Status, connect$ } from 'lomond';
import { closePayload, createTestServer, serverClose, serverFrame, type TestServer } from 'lomond/testing';

/** The protocol errors and the client's close code after `setup` sent something broken at 10 ms. */
function failures(setup: (server: TestServer) => void): { errors: string[]; closeCode: number | null | undefined } {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const server = createTestServer(scheduler);
  const errors: string[] = [];
  scheduler.run(() => {
    server.at(10, () => setup(server));
    connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 })
      .pipe(filter((e) => e.name === 'protocol_error'))
      .subscribe((e) => errors.push(e.error));
  });
  return { errors, closeCode: server.current.clientCloseCode };
}

it('fails with 1002 on a frame with a reserved bit set', () => {
  const { errors, closeCode } = failures((server) => server.current.sendRaw(serverFrame(Opcode.TEXT, 'hi', { rsv2: true })));
  expect(errors).toHaveLength(1);
  expect(closeCode).toBe(Status.PROTOCOL_ERROR);
});

it('fails with 1002 on a close code that is not allowed on the wire', () => {
  expect(failures((server) => server.current.sendRaw(serverClose(1005))).closeCode).toBe(Status.PROTOCOL_ERROR);
  expect(failures((server) => server.current.sendFrame(Opcode.CLOSE, closePayload(1000, new Uint8Array([0xff])))).closeCode).toBe(Status.BAD_DATA);
});
