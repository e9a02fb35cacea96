// Reads the token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110).

export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header)?.[1];
}
