#!/usr/bin/env python3
"""A dashboard client that stops reading (test/faults/stalled-dashboard.test.ts).

It speaks just enough of socket.io v4 over a raw websocket (engine.io protocol 4, RFC 6455 framing) to sign in with a
session token and join a ward room, then never reads again. Its receive buffer is set to 4 KiB before connecting
(SO_RCVBUF; Node cannot set it), so the TCP window closes at once and whatever the cloud sends it next piles up on the
cloud's side: the worst case for the cloud's memory. It prints JSON lines: joined, then closed (when the cloud hung up).

usage: stalled-client.py <host> <port> <token> <wardId>
"""
import base64
import json
import os
import socket
import sys
import time


def frame(text: str) -> bytes:
    """One masked text frame (clients must mask, RFC 6455 §5.3)."""
    payload = text.encode()
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, 'big'))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_frame(sock: socket.socket) -> str:
    def exact(n: int) -> bytes:
        buf = b''
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError('closed')
            buf += chunk
        return buf
    b0, b1 = exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(exact(2), 'big')
    elif n == 127:
        n = int.from_bytes(exact(8), 'big')
    return exact(n).decode()


def say(event: str, **extra) -> None:
    print(json.dumps({'event': event, 'at': int(time.time() * 1000), **extra}), flush=True)


def main() -> None:
    host, port, token, ward = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n'
                  f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n').encode())
    head = b''
    while b'\r\n\r\n' not in head:
        head += sock.recv(1)
    if b' 101 ' not in head.split(b'\r\n')[0]:
        raise SystemExit(f'upgrade refused: {head.decode(errors="replace")}')
    assert read_frame(sock).startswith('0')  # engine.io open
    sock.sendall(frame('40' + json.dumps({'token': token})))  # socket.io connect, with the session token
    reply = read_frame(sock)
    if not reply.startswith('40'):
        raise SystemExit(f'socket.io connect refused: {reply}')
    sock.sendall(frame('420' + json.dumps(['ward:join', {'wardId': ward}])))  # event with ack id 0
    while True:
        reply = read_frame(sock)
        if reply.startswith('430'):
            break
        if reply == '2':
            sock.sendall(frame('3'))
    if '"ok":true' not in reply:
        raise SystemExit(f'ward:join refused: {reply[:200]}')
    say('joined')
    # Stalled: never read again. Wait (without reading) until the cloud closes the connection.
    while True:
        time.sleep(0.5)
        try:
            # MSG_PEEK of one byte does not drain the window; an empty result means the peer closed (FIN).
            data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            if data == b'':
                say('closed', how='fin')
                return
        except BlockingIOError:
            continue
        except ConnectionError:
            say('closed', how='reset')
            return


if __name__ == '__main__':
    main()
