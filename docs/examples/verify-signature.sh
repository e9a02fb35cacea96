#!/bin/sh
# Verifies one Klang webhook request with openssl: exits 0 and prints "valid", or exits 1.
# Usage: KLANG_WEBHOOK_SECRET=whsec_... ./verify-signature.sh <webhook-id> <webhook-timestamp> '<webhook-signature>' <body-file>
set -euf # -f: no globbing of the signature entries
id=$1 timestamp=$2 signatures=$3 body_file=$4
tolerance=300

now=$(date +%s)
case $timestamp in '' | *[!0-9]*) echo "bad timestamp" >&2; exit 1 ;; esac
if [ $((now - timestamp)) -gt $tolerance ] || [ $((timestamp - now)) -gt $tolerance ]; then
  echo "timestamp outside the tolerance" >&2
  exit 1
fi

# 1. The key is the base64 after "whsec_", as hex for openssl.
key_hex=$(printf '%s' "${KLANG_WEBHOOK_SECRET#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')
# 2. HMAC-SHA256 over "<id>.<timestamp>.<raw body>", base64-encoded.
expected=$( { printf '%s.%s.' "$id" "$timestamp"; cat "$body_file"; } |
  openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | openssl base64 -A)
# 3. Any "v1,<base64>" entry of the space-separated header may match.
for entry in $signatures; do
  if [ "$entry" = "v1,$expected" ]; then
    echo valid
    exit 0
  fi
done
echo "no signature matches" >&2
exit 1
