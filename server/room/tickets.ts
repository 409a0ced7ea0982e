/**
 * Socket tickets are single use: the room keeps the ids it has admitted
 * until they expire (60 s), so a ticket copied from a log or a proxy opens
 * nothing a second time.
 */
export class UsedTickets {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS used_tickets (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL)");
  }

  /** True the first time a ticket id is used; false ever after. */
  use(jti: string, exp: number, now: number): boolean {
    this.sql.exec("DELETE FROM used_tickets WHERE exp < ?", now);
    return this.sql.exec("INSERT INTO used_tickets (jti, exp) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING jti", jti, exp).toArray().length === 1;
  }
}
