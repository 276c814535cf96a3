// Database URLs and connection strings as shown to people: no password, ever.
#include "migration_tools/core/url.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace migration_tools;
using Catch::Matchers::Contains;

TEST_CASE("The password in a postgresql:// URL is replaced", "[unit][url]") {
  CHECK(redact_url("postgresql://user:secret@host/db") == "postgresql://user:***@host/db");
  CHECK(redact_url("postgres://user:secret@host:5432/db?sslmode=require") ==
        "postgres://user:***@host:5432/db?sslmode=require");
  CHECK(redact_url("postgresql://user:secret@host") == "postgresql://user:***@host");
  CHECK(redact_url("postgresql://user:secret@/db?host=/var/run/postgresql") ==
        "postgresql://user:***@/db?host=/var/run/postgresql");
}

TEST_CASE("A URL without a password is left as it is", "[unit][url]") {
  CHECK(redact_url("postgresql://user@host/db") == "postgresql://user@host/db");
  CHECK(redact_url("postgresql://host:5432/db") == "postgresql://host:5432/db");
  CHECK(redact_url("postgresql:///db") == "postgresql:///db");
  CHECK(redact_url("") == "");
  CHECK(redact_url("dbname=app host=/tmp") == "dbname=app host=/tmp");
}

TEST_CASE("An empty password is masked too", "[unit][url]") {
  CHECK(redact_url("postgresql://user:@host/db") == "postgresql://user:***@host/db");
}

TEST_CASE("A password containing @ is masked entirely", "[unit][url]") {
  auto out = redact_url("postgresql://user:p@ss@host/db");
  CHECK(out == "postgresql://user:***@host/db");
  CHECK_THAT(out, !Contains("ss"));
}

TEST_CASE("A password containing ? or # is masked entirely", "[unit][url]") {
  // libpq ends the user information at the first '@' or '/', not at '?' or '#'.
  CHECK(redact_url("postgresql://user:pa?ss@host/db") == "postgresql://user:***@host/db");
  CHECK(redact_url("postgresql://user:pa#ss@host/db") == "postgresql://user:***@host/db");
  CHECK(redact_url("postgresql://user:pa?ss@host") == "postgresql://user:***@host");
}

TEST_CASE("A password query parameter is masked", "[unit][url]") {
  CHECK(redact_url("postgresql://host/db?user=me&password=secret&sslmode=require") ==
        "postgresql://host/db?user=me&password=***&sslmode=require");
  CHECK(redact_url("postgresql://host/db?password=secret") == "postgresql://host/db?password=***");
}

TEST_CASE("Both the user information and a password parameter are masked", "[unit][url]") {
  auto out = redact_url("postgresql://u:one@host/db?password=two");
  CHECK(out == "postgresql://u:***@host/db?password=***");
}

TEST_CASE("A password in a keyword/value connection string is masked", "[unit][url]") {
  CHECK(redact_url("host=localhost password=secret dbname=app") ==
        "host=localhost password=*** dbname=app");
  CHECK(redact_url("password=secret") == "password=***");
  CHECK(redact_url("host=h password='with space \\' quote' dbname=app") ==
        "host=h password=*** dbname=app");
}

TEST_CASE("A keyword password with spaces around the equals sign is masked", "[unit][url]") {
  // libpq accepts `password = secret`.
  auto out = redact_url("host=localhost password = secret dbname=app");
  CHECK_THAT(out, !Contains("secret"));
  CHECK_THAT(out, Contains("dbname=app"));
  CHECK_THAT(out, Contains("host=localhost"));
}

TEST_CASE("Any key holding password or secret is masked: too much is safe, too little is not",
          "[unit][url]") {
  CHECK(redact_url("host=h mypassword=hidden") == "host=h mypassword=***");
  CHECK(redact_url("postgresql://h/db?old_password=hidden") ==
        "postgresql://h/db?old_password=***");
  CHECK(redact_url("postgresql://h/db?oauth_client_secret=hidden&a=b") ==
        "postgresql://h/db?oauth_client_secret=***&a=b");
  CHECK(redact_url("host=h dbname=passwords") == "host=h dbname=passwords");
}

TEST_CASE("A URL inside an error message is redacted", "[unit][url]") {
  auto out = redact_url("cannot connect to postgresql://app:s3cr3t@db.example.com/app: timeout");
  CHECK_THAT(out, !Contains("s3cr3t"));
  CHECK_THAT(out, Contains("postgresql://app:***@db.example.com/app"));
}

TEST_CASE("Every URL in a message loses its password", "[unit][url]") {
  auto out = redact_url(
      "cannot connect to postgresql://a:first@h1/db, nor to postgresql://b:second@h2/db");
  CHECK(out == "cannot connect to postgresql://a:***@h1/db, nor to postgresql://b:***@h2/db");
  CHECK_THAT(out, !Contains("first") && !Contains("second"));
  // Without a '/' after the first host, the second URL still is a URL of its own.
  out = redact_url("postgresql://a:first@h1 then postgresql://b:second@h2");
  CHECK_THAT(out, !Contains("first") && !Contains("second"));
}

TEST_CASE("A password under another spelling is masked by meaning", "[unit][url]") {
  // libpq decodes percent-encoded keys: pass%77ord is password.
  auto out = redact_url("postgresql://host/db?pass%77ord=secret&sslmode=require");
  CHECK(out == "postgresql://host/db?pass%77ord=***&sslmode=require");
  CHECK_THAT(redact_url("postgresql://host/db?%70%61%73%73%77%6F%72%64=secret"),
             !Contains("secret"));
  // The client key's passphrase.
  CHECK(redact_url("postgresql://host/db?sslpassword=keypass") ==
        "postgresql://host/db?sslpassword=***");
  CHECK(redact_url("host=h sslpassword = 'key pass' dbname=d") ==
        "host=h sslpassword = *** dbname=d");
  // An unencoded '/' in the user information's password.
  out = redact_url("using postgresql://deploy:Xk9/q7Secret@db.internal/app (--url)");
  CHECK(out == "using postgresql://deploy:***@db.internal/app (--url)");
  // An unencoded '/' and '@' together.
  CHECK_THAT(redact_url("postgresql://u:a/b@c@h/db"), !Contains("a/b") && !Contains("b@c"));
}

TEST_CASE("A registered secret is masked wherever it appears", "[unit][url]") {
  add_secret_to_redact("Hunter2Registered");
  CHECK(redact_url("invalid percent-encoded token: \"Hunter2Registered%zz\"") ==
        "invalid percent-encoded token: \"***%zz\"");
}
