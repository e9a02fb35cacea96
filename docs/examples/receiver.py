# A Klang webhook receiver in Python 3, standard library only (http.server, hmac, hashlib, base64).
# Run: KLANG_WEBHOOK_SECRET=whsec_... PORT=8080 python3 receiver.py
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["KLANG_WEBHOOK_SECRET"]  # during a rotation, check the old secret too
TOLERANCE_SECONDS = 5 * 60


def verify(secret, headers, body):
    """Returns the parsed event, or raises ValueError. `body` is the raw request bytes."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise ValueError("missing_header")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("bad_timestamp")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise ValueError("bad_signature")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = verify(SECRET, self.headers, body)
        except ValueError as error:
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"error": str(error)}).encode())
            return
        # event["id"] is the idempotency key: skip it if you processed it already.
        print(f"verified {event['type']} {event['id']}", flush=True)
        self.send_response(204)
        self.end_headers()


ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
