// A property test: pairs of random schemas drawn from one pool of names
// (tables, columns, types, keys, indexes, views, an enum), each pair run
// through the shared oracle in both directions: the upgrade converges, the
// downgrade restores.
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>

#include "schema_case.hpp"

using migration_tools::test::check_schema_case;
using migration_tools::test::schema_case;

namespace {

class schema_generator {
 public:
  explicit schema_generator(unsigned seed) : random_(seed) {}

  std::string generate() {
    std::string sql;
    std::vector<std::string> moods;
    for (const char* v : {"sad", "meh", "ok", "happy"})
      if (chance(70)) moods.push_back(v);
    if (moods.empty()) moods.push_back("ok");
    if (chance(30)) std::shuffle(moods.begin(), moods.end(), random_);
    sql += "CREATE TYPE mood AS ENUM (";
    for (size_t i = 0; i < moods.size(); ++i) sql += (i ? ", '" : "'") + moods[i] + "'";
    sql += ");\n";
    if (chance(50))
      sql += "CREATE SEQUENCE counter" + std::string(chance(50) ? " CACHE 5" : "") + ";\n";
    std::vector<int> keyed;  // tables with a primary key on c0
    for (int t = 0; t < 4; ++t) {
      if (!chance(75)) continue;
      std::string name = "t" + std::to_string(t);
      std::vector<std::string> columns{"c0 integer" + std::string(chance(50) ? " NOT NULL" : "")};
      std::set<int> present{0};
      for (int c = 1; c < 6; ++c) {
        if (!chance(60)) continue;
        present.insert(c);
        const char* types[] = {"integer", "bigint", "numeric(10,2)", "text", "varchar(40)"};
        std::string type = types[pick(5)];
        bool text = type == "text" || type.rfind("varchar", 0) == 0;
        std::string column = "c" + std::to_string(c) + " " + type;
        if (chance(30)) column += text ? " DEFAULT 'x'" : " DEFAULT 1";
        if (chance(30)) column += " NOT NULL";
        columns.push_back(column);
      }
      if (chance(40)) columns.push_back("m mood");
      bool key = chance(60);
      if (key) columns.push_back("PRIMARY KEY (c0)");
      if (!keyed.empty() && chance(50))
        columns.push_back("FOREIGN KEY (c0) REFERENCES t" +
                          std::to_string(keyed[pick(static_cast<int>(keyed.size()))]) +
                          (chance(50) ? " ON DELETE CASCADE" : ""));
      if (present.count(1) && present.count(2) && chance(40)) columns.push_back("UNIQUE (c1, c2)");
      if (present.count(3) && chance(40))
        columns.push_back("CONSTRAINT " + name + "_check CHECK (c3 IS NOT NULL OR c0 > 0)");
      sql += "CREATE TABLE " + name + " (";
      for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
      sql += ");\n";
      if (key) keyed.push_back(t);
      for (int c : present)
        if (c > 0 && chance(25))
          sql += "CREATE INDEX " + name + "_c" + std::to_string(c) + " ON " + name + " (c" +
                 std::to_string(c) + ")" + (chance(50) ? " WHERE c0 > 0" : "") + ";\n";
      if (present.size() > 1 && chance(40)) {
        int c = *std::next(present.begin(), 1 + pick(static_cast<int>(present.size()) - 1));
        sql += "CREATE VIEW " + name + "_view AS SELECT c0, c" + std::to_string(c) + " FROM " +
               name + ";\n";
      }
      if (chance(30)) sql += "COMMENT ON TABLE " + name + " IS 'table " + name + "';\n";
    }
    return sql;
  }

 private:
  bool chance(int percent) { return pick(100) < percent; }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  std::mt19937 random_;
};

}  // namespace

TEST_CASE("random schema pairs: the upgrade converges and the downgrade restores, both ways",
          "[autogenerate][db]") {
  unsigned seed = GENERATE(range(1u, 13u));
  schema_generator a(seed), b(seed * 7919u + 1u);
  schema_case c;
  c.before = a.generate();
  c.after = b.generate();
  c.same_dump = false;  // added columns come last
  INFO("seed " << seed << "\nbefore:\n" << c.before << "after:\n" << c.after);
  if (c.before == c.after) return;
  check_schema_case("random_" + std::to_string(seed), c);
}
