<?php
// A Klang webhook receiver in PHP (hash_hmac, base64_decode, hash_equals; no extensions beyond the core).
// Run: KLANG_WEBHOOK_SECRET=whsec_... php -S 0.0.0.0:8080 receiver.php

const TOLERANCE_SECONDS = 300;

/** Returns the decoded event or throws UnexpectedValueException. $body is the raw request body. */
function verify_klang_webhook(string $secret, array $headers, string $body): array
{
    $headers = array_change_key_case($headers, CASE_LOWER);
    $id = $headers['webhook-id'] ?? '';
    $timestamp = $headers['webhook-timestamp'] ?? '';
    $signatures = $headers['webhook-signature'] ?? '';
    if ($id === '' || $timestamp === '' || $signatures === '') {
        throw new UnexpectedValueException('missing_header');
    }
    if (!ctype_digit($timestamp) || abs(time() - (int) $timestamp) > TOLERANCE_SECONDS) {
        throw new UnexpectedValueException('bad_timestamp');
    }
    $key = base64_decode(preg_replace('/^whsec_/', '', $secret), true);
    $expected = base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
    foreach (explode(' ', $signatures) as $entry) {
        [$version, $value] = array_pad(explode(',', $entry, 2), 2, '');
        if ($version === 'v1' && hash_equals($expected, $value)) {
            return json_decode($body, true, 512, JSON_THROW_ON_ERROR);
        }
    }
    throw new UnexpectedValueException('bad_signature');
}

$secret = getenv('KLANG_WEBHOOK_SECRET'); // during a rotation, check the old secret too
$body = file_get_contents('php://input'); // the raw body, never a re-encoded $_POST
try {
    $event = verify_klang_webhook($secret, getallheaders(), $body);
} catch (UnexpectedValueException | JsonException $error) {
    http_response_code(401);
    header('content-type: application/json');
    echo json_encode(['error' => $error->getMessage()]);
    return;
}
// $event['id'] is the idempotency key: skip it if you processed it already.
file_put_contents('php://stderr', "verified {$event['type']} {$event['id']}\n");
http_response_code(204);
