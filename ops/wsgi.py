"""WSGI-level guards, applied in config/wsgi.py to every server that runs the site (gunicorn in
production, `runserver` in the embedded default).

`CompleteBody` refuses a request body that ends before its Content-Length. When a browser's
connection drops in the middle of an upload, the server's input stream simply runs dry: Django's
multipart parser then sees a shorter body, treats the last file as complete and hands the view a
truncated file (and the fields after it missing). Reading past the end of what arrived raises
`UnreadablePostError` instead, so the view stores nothing and the upload handler removes the part
it had received.
"""

from django.http import UnreadablePostError


class _Body:
    def __init__(self, stream, length: int):
        self._stream = stream
        self.remaining = length

    def _check(self, data: bytes, wanted: int) -> bytes:
        if wanted > 0 and not data:
            raise UnreadablePostError(
                f"request body ended {self.remaining} bytes before its Content-Length (client disconnected)"
            )
        self.remaining -= len(data)
        return data

    def read(self, size=-1):
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        if wanted <= 0:
            return b""
        return self._check(self._stream.read(wanted), wanted)

    def readline(self, size=-1):
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        if wanted <= 0:
            return b""
        return self._check(self._stream.readline(wanted), wanted)

    def readlines(self, hint=-1):
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")


class CompleteBody:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0 and "wsgi.input" in environ:
            environ["wsgi.input"] = _Body(environ["wsgi.input"], length)
        return self.application(environ, start_response)
