"""A TCP server of the host's, for tests that prove what a kernel can or cannot reach."""
import socket
import threading


class Listener:
    """A TCP server on 127.0.0.1 that keeps whatever it receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port, self.received = self.server.getsockname()[1], b""
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                self.received += connection.recv(1024)
