/* The floor of a command that asks the database: a C program on libpq
 * alone that connects, runs one query and prints its first value
 * (bench.py's read-only section, "for scale"). Usage: libpq_select URL SQL */
#include <libpq-fe.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s URL SQL\n", argv[0]);
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    fprintf(stderr, "%s", PQerrorMessage(conn));
    return 1;
  }
  PGresult* res = PQexec(conn, argv[2]);
  int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
  if (ok) printf("%s\n", PQgetvalue(res, 0, 0));
  else fprintf(stderr, "%s", PQerrorMessage(conn));
  PQclear(res);
  PQfinish(conn);
  return ok ? 0 : 1;
}
