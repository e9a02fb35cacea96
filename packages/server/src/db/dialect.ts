// The two databases the service runs on: embedded SQLite (one process) and PostgreSQL (many).
export type Dialect = 'sqlite' | 'postgres';
