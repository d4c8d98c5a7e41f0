import Database from 'better-sqlite3';

/**
 * A SQLite database as minion's stores open it. WAL: readers (the API) never wait for the
 * writer; NORMAL: a power cut may lose the last transaction, never corrupt the file;
 * busy_timeout: replicas sharing the directory take turns.
 */
export function openWalDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
