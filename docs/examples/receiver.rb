# A Klang webhook receiver in Ruby, standard library only (socket, openssl, json; no gems).
# Run: KLANG_WEBHOOK_SECRET=whsec_... PORT=8080 ruby receiver.rb
# In Rails or Sinatra, call verify(secret, headers, request.raw_post / request.body.read).
require 'json'
require 'openssl'
require 'socket'

SECRET = ENV.fetch('KLANG_WEBHOOK_SECRET') # during a rotation, check the old secret too
TOLERANCE_SECONDS = 5 * 60

# Returns the parsed event or raises ArgumentError. `body` is the raw request body.
def verify(secret, headers, body)
  id, timestamp, signatures = headers.values_at('webhook-id', 'webhook-timestamp', 'webhook-signature')
  raise ArgumentError, 'missing_header' unless id && timestamp && signatures
  unless timestamp.match?(/\A\d+\z/) && (Time.now.to_i - timestamp.to_i).abs <= TOLERANCE_SECONDS
    raise ArgumentError, 'bad_timestamp'
  end

  key = secret.delete_prefix('whsec_').unpack1('m0')
  digest = OpenSSL::HMAC.digest('SHA256', key, "#{id}.#{timestamp}.#{body}")
  expected = [digest].pack('m0')
  matches = signatures.split(' ').any? do |entry|
    version, value = entry.split(',', 2)
    version == 'v1' && value && OpenSSL.secure_compare(value, expected)
  end
  raise ArgumentError, 'bad_signature' unless matches

  JSON.parse(body)
end

# A minimal HTTP/1.1 server so the example runs without gems; use your framework's instead.
def read_request(client)
  client.gets # request line
  headers = {}
  while (line = client.gets) && line != "\r\n"
    name, value = line.split(':', 2)
    headers[name.strip.downcase] = value.strip
  end
  [headers, client.read(headers.fetch('content-length', '0').to_i).to_s]
end

def answer(client, status, body = '')
  reason = { 204 => 'No Content', 401 => 'Unauthorized' }.fetch(status)
  client.write("HTTP/1.1 #{status} #{reason}\r\ncontent-length: #{body.bytesize}\r\nconnection: close\r\n")
  client.write("content-type: application/json\r\n") unless body.empty?
  client.write("\r\n#{body}")
end

$stdout.sync = true
server = TCPServer.new(Integer(ENV.fetch('PORT', '8080')))
loop do
  client = server.accept
  headers, body = read_request(client)
  begin
    event = verify(SECRET, headers, body)
    # event['id'] is the idempotency key: skip it if you processed it already.
    puts "verified #{event['type']} #{event['id']}"
    answer(client, 204)
  rescue ArgumentError, JSON::ParserError => e
    answer(client, 401, JSON.generate(error: e.message))
  ensure
    client.close
  end
end
