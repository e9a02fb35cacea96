# A Klang webhook receiver in Flask; the check itself uses only the standard library.
# Run: pip install flask; KLANG_WEBHOOK_SECRET=whsec_... PORT=8080 python3 flask-receiver.py
import base64
import hashlib
import hmac
import json
import os
import time

from flask import Flask, request

SECRET = os.environ["KLANG_WEBHOOK_SECRET"]
TOLERANCE_SECONDS = 5 * 60
app = Flask(__name__)


def signature_matches(secret, msg_id, timestamp, signatures, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    entries = (entry.partition(",") for entry in signatures.split(" "))
    return any(v == "v1" and hmac.compare_digest(value, expected) for v, _, value in entries)


@app.post("/webhooks/klang")
def klang_webhook():
    body = request.get_data()  # the raw bytes; request.json would be re-serialised
    msg_id = request.headers.get("webhook-id", "")
    timestamp = request.headers.get("webhook-timestamp", "")
    signatures = request.headers.get("webhook-signature", "")
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= TOLERANCE_SECONDS
    if not (msg_id and fresh and signature_matches(SECRET, msg_id, timestamp, signatures, body)):
        return {"error": "bad_signature"}, 401
    event = json.loads(body)
    print(f"verified {event['type']} {event['id']}", flush=True)
    return "", 204


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
